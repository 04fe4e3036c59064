import { describe, expect, it } from 'vitest';
import { interactionsFromText, movieLens100kFromText } from './datasetFromText';

describe('datasetFromText', () => {
  it('builds the generic format and ML-100K from texts (no file system)', () => {
    const g = interactionsFromText('u,m2,2\nu,m1,1\n', { text: '[{"id":"m1","title":"One"},{"id":"m2","title":"Two"}]', format: 'json' });
    expect(Array.from(g.dataset.sequences[0])).toEqual([1, 2]);
    expect(g.catalog?.map((c) => c.title)).toEqual(['One', 'Two']);
    const flags = Array(19).fill('0').join('|');
    const m = movieLens100kFromText('1\t1\t4\t5\n', `1|A (1999)|||u|${flags}\n`);
    expect(m.catalog?.[0].year).toBe(1999);
    expect(Array.from(m.dataset.ratings?.[0] ?? [])).toEqual([4]);
  });
});
