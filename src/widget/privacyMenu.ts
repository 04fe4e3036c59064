import { h } from './view';

/** What the privacy menu can say and do; `null` actions are not offered (e.g. nothing stored yet). */
export interface PrivacyContent {
  /** Sentences describing what is stored where. */
  lines: string[];
  exportData: (() => Promise<void>) | null;
  deleteData: (() => Promise<void>) | null;
}

/**
 * The "Privacy" disclosure: a non-modal dialog under its button. Escape or Close closes it and
 * returns focus to the button; delete asks for a second click before it acts.
 */
export class PrivacyMenu {
  private openState = false;

  constructor(
    private readonly button: HTMLButtonElement,
    private readonly panel: HTMLElement,
    private readonly load: () => Promise<PrivacyContent>,
    private readonly onError: (err: unknown) => void,
  ) {
    button.addEventListener('click', () => (this.openState ? this.close() : void this.open()));
    panel.addEventListener('keydown', (ev) => this.onKey(ev));
    button.addEventListener('keydown', (ev) => this.onKey(ev));
  }

  get isOpen(): boolean {
    return this.openState;
  }

  async open(): Promise<void> {
    this.openState = true;
    this.button.setAttribute('aria-expanded', 'true');
    this.panel.hidden = false;
    this.panel.replaceChildren(h('p', {}, 'Reading what is stored…'));
    try {
      this.fill(await this.load());
    } catch (err) {
      this.panel.replaceChildren(h('p', {}, 'Could not read what is stored.'), this.closeButton());
      this.onError(err);
    }
  }

  close(returnFocus = true): void {
    if (!this.openState) return;
    this.openState = false;
    this.button.setAttribute('aria-expanded', 'false');
    this.panel.hidden = true;
    this.panel.replaceChildren();
    if (returnFocus) this.button.focus();
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.key === 'Escape' && this.openState) {
      ev.stopPropagation();
      this.close();
    }
  }

  private fill(content: PrivacyContent): void {
    const row = h('div', { class: 'row' });
    const result = h('p', { role: 'status' });
    if (content.exportData) {
      const exportData = content.exportData;
      const b = h('button', { type: 'button', part: 'button export' }, 'Export my data');
      b.addEventListener('click', () => void this.act(b, result, exportData, 'Exported: a JSON file with everything stored was downloaded.'));
      row.append(b);
    }
    if (content.deleteData) {
      const deleteData = content.deleteData;
      const b = h('button', { type: 'button', part: 'button delete' }, 'Delete my data');
      let armed = false;
      b.addEventListener('click', () => {
        if (!armed) {
          armed = true;
          b.textContent = 'Click again to delete';
          return;
        }
        void this.act(b, result, deleteData, 'Deleted: the history, the personalized model and the cached model files are gone.');
      });
      row.append(b);
    }
    row.append(this.closeButton());
    this.panel.replaceChildren(...content.lines.map((l) => h('p', {}, l)), row, result);
    (row.firstElementChild as HTMLElement | null)?.focus();
  }

  private closeButton(): HTMLButtonElement {
    const b = h('button', { type: 'button', part: 'button close' }, 'Close');
    b.addEventListener('click', () => this.close());
    return b;
  }

  private async act(button: HTMLButtonElement, result: HTMLElement, action: () => Promise<void>, done: string): Promise<void> {
    button.disabled = true;
    try {
      await action();
      result.textContent = done;
    } catch (err) {
      result.textContent = 'That did not work; see the message above the feed.';
      this.onError(err);
    } finally {
      button.disabled = false;
    }
  }
}
