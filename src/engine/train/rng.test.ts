import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is reproducible for a seed, and state can be saved and restored', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const first = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(first);
    const saved = a.getState();
    const next = [a.next(), a.int(0, 100), a.seed()];
    const c = new Rng(0);
    c.setState(saved);
    expect([c.next(), c.int(0, 100), c.seed()]).toEqual(next);
  });

  it('int(lo, hi) stays in [lo, hi) and hits every value; shuffle is a permutation', () => {
    const r = new Rng(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[r.int(3, 8) - 3]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    const s = r.shuffle([...Array(50).keys()]);
    expect([...s].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(s).not.toEqual([...Array(50).keys()]);
  });
});
