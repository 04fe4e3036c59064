import type { Device, EngineRequest, ProgressEvent, Recommender } from './api';

/** What one element holds of a shared engine. */
export interface EngineLease {
  readonly engine: Recommender;
  /** The device the shared engine was started with (the first element's). */
  readonly device: Device;
  /** Set when this element asked for another device than the one the engine runs with. */
  readonly deviceConflict: string | null;
  /** Gives the engine back; the last release disposes it. Safe to call twice. */
  release(): void;
}

interface Entry {
  engine: Recommender;
  device: Device;
  listeners: Set<(e: ProgressEvent) => void>;
}

/**
 * Shares one engine (one worker, one model download, one storage namespace) among all elements
 * that show the same model on a page. The first element's device decides; the engine is disposed
 * when the last element releases it.
 */
export class EngineRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly createEngine: (request: EngineRequest) => Recommender) {}

  /** Number of engines alive (tests, diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Elements holding the engine of this model folder (0 when none). */
  holders(modelUrl: string): number {
    return this.entries.get(modelUrl)?.listeners.size ?? 0;
  }

  acquire(request: { modelUrl: string; device: Device; namespace: string }, onProgress: (e: ProgressEvent) => void): EngineLease {
    let entry = this.entries.get(request.modelUrl);
    if (!entry) {
      const listeners = new Set<(e: ProgressEvent) => void>();
      const fanOut = (e: ProgressEvent) => {
        for (const l of [...listeners]) {
          try {
            l(e);
          } catch (err) {
            // One element's failing handler must not starve the others of progress.
            reportListenerError(err);
          }
        }
      };
      const engine = this.createEngine({ ...request, onProgress: fanOut });
      entry = { engine, device: request.device, listeners };
      this.entries.set(request.modelUrl, entry);
    }
    const held = entry;
    held.listeners.add(onProgress);
    const deviceConflict = request.device === held.device
      ? null
      : `device="${request.device}" was ignored: another <localrec-feed> on this page already runs this model with device="${held.device}" (one shared engine per model; the first element's device decides).`;
    let released = false;
    return {
      engine: held.engine,
      device: held.device,
      deviceConflict,
      release: () => {
        if (released) return;
        released = true;
        held.listeners.delete(onProgress);
        if (held.listeners.size === 0 && this.entries.get(request.modelUrl) === held) {
          this.entries.delete(request.modelUrl);
          held.engine.dispose().catch(reportListenerError);
        }
      },
    };
  }
}

function reportListenerError(err: unknown): void {
  // Surfaced to the console, where the host's developer looks; the feed keeps working.
  console.error('[localrec-feed]', err);
}
