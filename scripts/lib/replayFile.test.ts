import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReplayFile } from './replayFile';

const dir = mkdtempSync(join(tmpdir(), 'replay-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readReplayFile', () => {
  it('reads a model folder\'s replay exemplars, none when the folder has no file, and refuses items the model lacks', () => {
    expect(readReplayFile(dir, 10)).toEqual([]);
    writeFileSync(join(dir, 'replay.json'), JSON.stringify({ format: 'localrec-replay', version: 1, method: 'test', sequences: [[1, 2, 3], [4, 5]] }));
    expect(readReplayFile(dir, 10)).toEqual([[1, 2, 3], [4, 5]]);
    expect(() => readReplayFile(dir, 4)).toThrow(/replay/);
  });
});
