import { ParseError } from '../errors';
import type { SequenceDataset } from './types';

/**
 * Parses the SASRec `user item` lines format (one interaction per line, each user's lines in
 * time order). Item ids must be positive integers; they are used as dense ids directly, so
 * `numItems` is the largest id seen.
 */
export function parseSasLines(text: string, file: string): SequenceDataset {
  const byUser = new Map<string, number[]>();
  let maxItem = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    const parts = raw.split(/\s+/);
    if (parts.length !== 2) {
      throw new ParseError(file, i + 1, `expected 2 fields "user item", found ${parts.length} in "${raw.slice(0, 60)}"`,
        'Each line must be "<user> <item>" separated by whitespace');
    }
    const item = Number(parts[1]);
    if (!Number.isInteger(item) || item <= 0) {
      throw new ParseError(file, i + 1, `item id "${parts[1]}" is not a positive integer`,
        'SASRec files number items 1..N; use the generic CSV format for other ids');
    }
    let seq = byUser.get(parts[0]);
    if (!seq) byUser.set(parts[0], (seq = []));
    seq.push(item);
    if (item > maxItem) maxItem = item;
  }
  if (byUser.size === 0) throw new ParseError(file, 1, 'no interactions found', 'The file is empty');
  const itemIds = [''];
  for (let i = 1; i <= maxItem; i++) itemIds.push(String(i));
  return {
    source: file,
    numItems: maxItem,
    userIds: [...byUser.keys()],
    sequences: [...byUser.values()].map((s) => Int32Array.from(s)),
    itemIds,
  };
}
