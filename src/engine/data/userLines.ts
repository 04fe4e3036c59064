import { ParseError } from '../errors';
import type { SequenceDataset } from './types';

/** What reading a data file did (printed as the import report). */
export interface ImportReport {
  rowsRead: number;
  /** Rows dropped, by reason (e.g. "a user with no items": 3). */
  dropped: Record<string, number>;
  users: number;
  items: number;
  interactions: number;
  /** Interactions that share a timestamp with the one before in the same history (order then follows the file). */
  tiedTimestamps: number | null;
  /** How external ids became the model's dense ids. */
  idMapping: string;
}

/**
 * Parses the one-line-per-user layout of public sequential datasets: `<user> <item> <item> …`,
 * whitespace-separated, items in time order. A user on several lines gets those lines' items in
 * file order. Item ids may be any token; they become dense ids 1..N in order of first appearance.
 * Lines with a user and no item are dropped (counted in the report).
 *
 * @example
 * const { dataset, report } = parseUserLines('u1 a b c\nu2 b c\n', 'seqs.txt');
 */
export function parseUserLines(text: string, file: string): { dataset: SequenceDataset; report: ImportReport } {
  const byUser = new Map<string, number[]>();
  const idOf = new Map<string, number>();
  const itemIds = [''];
  let rowsRead = 0;
  let noItems = 0;
  let firstEmpty = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    rowsRead++;
    const parts = raw.split(/\s+/);
    if (parts.length < 2) {
      noItems++;
      firstEmpty ||= i + 1;
      continue;
    }
    let seq = byUser.get(parts[0]);
    if (!seq) byUser.set(parts[0], (seq = []));
    for (let k = 1; k < parts.length; k++) {
      let id = idOf.get(parts[k]);
      if (id === undefined) { id = itemIds.length; idOf.set(parts[k], id); itemIds.push(parts[k]); }
      seq.push(id);
    }
  }
  if (byUser.size === 0) {
    throw new ParseError(file, firstEmpty || 1, 'no user line with items found', 'Each line must be "<user> <item> <item> …" in time order');
  }
  const sequences = [...byUser.values()].map((s) => Int32Array.from(s));
  const numeric = itemIds.slice(1).every((t) => /^\d+$/.test(t));
  const report: ImportReport = {
    rowsRead,
    dropped: noItems ? { 'a user with no items': noItems } : {},
    users: byUser.size,
    items: itemIds.length - 1,
    interactions: sequences.reduce((a, s) => a + s.length, 0),
    tiedTimestamps: null,
    idMapping: `${itemIds.length - 1} distinct ${numeric ? 'numeric ' : ''}item tokens -> dense ids 1..${itemIds.length - 1} in order of first appearance (catalog.json keeps the original id); users keep their own ids`,
  };
  return { dataset: { source: file, numItems: itemIds.length - 1, userIds: [...byUser.keys()], sequences, itemIds }, report };
}

/**
 * True when the text looks like one line per user: some line holds more than two fields, or an
 * item token that is not a positive integer (SASRec `user item` files number items 1..N).
 */
export function looksLikeUserLines(text: string, sampleLines = 1000): boolean {
  let seen = 0;
  for (const line of text.split('\n', sampleLines * 2)) {
    const t = line.trim();
    if (!t) continue;
    const parts = t.split(/\s+/);
    if (parts.length > 2 || (parts.length === 2 && !/^[1-9]\d*$/.test(parts[1]))) return true;
    if (++seen >= sampleLines) break;
  }
  return false;
}

/** Interactions with the same time as the one before in the same history. */
export function countTiedTimestamps(times: readonly ArrayLike<number>[]): number {
  let ties = 0;
  for (const t of times) for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1]) ties++;
  return ties;
}

/** The report as lines for a terminal. */
export function formatImportReport(r: ImportReport, format: string): string[] {
  const dropped = Object.entries(r.dropped);
  return [
    `import report (${format}): ${r.rowsRead} rows read; ${dropped.length ? `dropped ${dropped.map(([why, n]) => `${n} (${why})`).join(', ')}` : 'none dropped'}`,
    `  kept ${r.users} users, ${r.items} items, ${r.interactions} interactions; tied timestamps: ${r.tiedTimestamps === null ? 'none possible (order is the position in the line)' : `${r.tiedTimestamps} (kept in file order)`}`,
    `  ids: ${r.idMapping}`,
  ];
}
