import { describe, expect, it } from 'vitest';
import { StateGuard } from './stateGuard';

describe('StateGuard', () => {
  it('runs exclusive writes one after another, in call order, and a failure does not block the next', async () => {
    const g = new StateGuard();
    const log: string[] = [];
    let release!: () => void;
    const first = g.exclusive(async () => {
      log.push('a start');
      await new Promise<void>((r) => { release = r; });
      log.push('a end');
    });
    const failing = g.exclusive(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const third = g.exclusive(async () => { log.push('c'); return 3; });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    release();
    await first;
    await expect(failing).rejects.toThrow('b failed');
    expect(await third).toBe(3);
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('bump moves the generation on', () => {
    const g = new StateGuard();
    const before = g.generation;
    g.bump();
    g.bump();
    expect(g.generation).toBe(before + 2);
  });
});
