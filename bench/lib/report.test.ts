import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultBase, table, writeResults } from './report';

const dir = mkdtempSync(join(tmpdir(), 'localrec-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeResults', () => {
  it('writes JSON and Markdown, and a second run on the same day gets its own files instead of overwriting the first', () => {
    const date = new Date().toISOString().slice(0, 10);
    const first = writeResults(dir, 'bench-x', { run: 1 }, '# one');
    const second = writeResults(dir, 'bench-x', { run: 2 }, '# two\n');
    const third = writeResults(dir, 'bench-x', { run: 3 }, '# three');
    expect([first.json, second.json, third.json]).toEqual([`bench-x-${date}`, `bench-x-${date}-2`, `bench-x-${date}-3`].map((b) => join(dir, `${b}.json`)));
    expect(JSON.parse(readFileSync(first.json, 'utf8'))).toEqual({ run: 1 });
    expect(readFileSync(second.md, 'utf8')).toBe('# two\n');
    expect(readFileSync(third.md, 'utf8')).toBe('# three\n');
    expect(readdirSync(dir)).toHaveLength(6);
  });

  it('resultBase puts a tag after the date and numbers a taken name', () => {
    const date = new Date().toISOString().slice(0, 10);
    expect(resultBase(dir, 'browser', 's1')).toBe(join(dir, `browser-${date}-s1`));
    writeFileSync(join(dir, `browser-${date}-s1.json`), '{}');
    expect(resultBase(dir, 'browser', 's1')).toBe(join(dir, `browser-${date}-s1-2`));
  });

  it('table() writes a Markdown table', () => {
    expect(table(['a', 'b'], [[1, 'x']])).toBe('| a | b |\n| --- | --- |\n| 1 | x |');
  });
});
