import type { LocalStore } from './localStore';

/** What one tab tells the others with the same namespace. */
export type SyncMessage =
  | { kind: 'events'; from: string }
  | { kind: 'checkpoint'; from: string }
  | { kind: 'settings'; from: string }
  | { kind: 'replaced'; from: string }
  | { kind: 'deleted'; from: string };

interface LockManagerLike {
  request<T>(name: string, opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<T>): Promise<T>;
}

/** How long a fallback lease lives without renewal (a crashed tab frees it after this). */
const LEASE_TTL_MS = 60_000;

/**
 * Coordinates tabs (and engines) that share a namespace: exactly one trains at a time (Web Locks,
 * or an IndexedDB lease where Web Locks are missing) and the others hear about every write over
 * a BroadcastChannel and reload.
 */
export class TabSync {
  readonly id: string;
  private readonly lockName: string;
  private readonly channel: BroadcastChannel | null;
  private readonly store: LocalStore;

  constructor(namespace: string, store: LocalStore, onMessage: (m: SyncMessage) => void) {
    this.id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    this.lockName = `localrec:${namespace}:train`;
    this.store = store;
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`localrec:${namespace}`) : null;
    if (this.channel) {
      this.channel.onmessage = (ev: MessageEvent<SyncMessage>) => {
        if (ev.data && ev.data.from !== this.id) onMessage(ev.data);
      };
    }
  }

  post(kind: SyncMessage['kind']): void {
    this.channel?.postMessage({ kind, from: this.id } satisfies SyncMessage);
  }

  /** Runs `fn` if no other tab is training now; otherwise resolves `{ ran: false }` at once. */
  async whileTraining<T>(fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const locks = (globalThis.navigator as (Navigator & { locks?: LockManagerLike }) | undefined)?.locks;
    if (locks) {
      return locks.request(this.lockName, { ifAvailable: true }, async (lock) => (lock ? { ran: true as const, value: await fn() } : { ran: false as const }));
    }
    if (!(await this.store.tryLease(this.id, LEASE_TTL_MS))) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      await this.store.releaseLease(this.id);
    }
  }

  dispose(): void {
    this.channel?.close();
  }
}
