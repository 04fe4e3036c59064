/** A one-line progress report for long CLI jobs: a live bar on a TTY, periodic lines otherwise. */
export class Progress {
  private last = 0;
  constructor(private readonly everyMs = 30_000) {}

  update(text: string, force = false): void {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text.padEnd(110).slice(0, 160)}`);
      return;
    }
    const now = Date.now();
    if (force || now - this.last >= this.everyMs) {
      this.last = now;
      process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
    }
  }

  done(): void {
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}

export function bar(fraction: number, width = 24): string {
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
