import { describe, expect, it } from 'vitest';
import type { SyncMessage } from '../store/tabSync';
import { followRemoteChange, type RemoteChangeTarget } from './remoteChanges';

function target(fail = false): { t: RemoteChangeTarget; log: string[] } {
  const log: string[] = [];
  const t: RemoteChangeTarget = {
    forgetHistory: () => log.push('forgetHistory'),
    forgetSettings: () => log.push('forgetSettings'),
    markDeleted: () => log.push('markDeleted'),
    bumpGeneration: () => log.push('bumpGeneration'),
    reloadCheckpoint: async ({ force }) => {
      if (fail) throw new Error('IndexedDB went away');
      log.push(`reload${force ? '(force)' : ''}`);
    },
    publish: async (what, origin, history) => { log.push(`publish ${what} ${origin} ${history.kind}`); },
    reportError: (err) => log.push(`error ${(err as Error).message}`),
  };
  return { t, log };
}
const msg = (kind: SyncMessage['kind']): SyncMessage => ({ kind, from: 'other' });

describe('followRemoteChange', () => {
  it('each change drops exactly what it made stale and publishes one snapshot', async () => {
    const cases: [SyncMessage['kind'], string[]][] = [
      ['events', ['forgetHistory', 'publish history remote replaced']],
      ['checkpoint', ['reload', 'publish checkpoint remote unchanged']],
      ['settings', ['forgetSettings', 'publish settings remote unchanged']],
      ['replaced', ['forgetHistory', 'forgetSettings', 'bumpGeneration', 'reload(force)', 'publish all remote replaced']],
      ['deleted', ['markDeleted', 'forgetHistory', 'forgetSettings', 'bumpGeneration', 'reload', 'publish all remote replaced']],
    ];
    for (const [kind, expected] of cases) {
      const { t, log } = target();
      await followRemoteChange(msg(kind), t);
      expect(log, kind).toEqual(expected);
    }
  });

  it('a failure drops the caches and is reported, never thrown', async () => {
    const { t, log } = target(true);
    await expect(followRemoteChange(msg('checkpoint'), t)).resolves.toBeUndefined();
    expect(log).toEqual(['forgetHistory', 'forgetSettings', 'error IndexedDB went away']);
  });
});
