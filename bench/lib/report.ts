import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<dir>/<name>-<YYYY-MM-DD>[-<tag>]`, without extension, for a run's result files: one set per run,
 * so a second run on the same day (and tag) gets -2, -3, … instead of overwriting the first.
 */
export function resultBase(dir: string, name: string, tag?: string): string {
  const stamp = join(dir, `${name}-${new Date().toISOString().slice(0, 10)}${tag ? `-${tag}` : ''}`);
  let base = stamp;
  for (let k = 2; existsSync(`${base}.json`) || existsSync(`${base}.md`); k++) base = `${stamp}-${k}`;
  return base;
}

/** Writes `resultBase(dir, name)` + `.json` and `.md`; returns both paths. */
export function writeResults(dir: string, name: string, json: unknown, markdown: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const base = resultBase(dir, name);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return { json: `${base}.json`, md: `${base}.md` };
}

/** A Markdown table from a header row and body rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
