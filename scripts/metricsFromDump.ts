/**
 * Recomputes HR@K and NDCG@K (K = 5, 10, 20) from a `--dump-ranks` file, independently of the
 * evaluation code that wrote it:
 *
 *   npm run metrics-from-dump -- ranks.tsv
 */
import { readFileSync } from 'node:fs';
import { LocalRecError } from '../src/engine/errors';
import { metricsFromDump, parseRankDump } from '../src/engine/eval/rankDump';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npm run metrics-from-dump -- <ranks.tsv>\n');
  process.exit(2);
}
try {
  const rows = parseRankDump(readFileSync(file, 'utf8'), file);
  process.stdout.write(`${JSON.stringify({ users: rows.length, metrics: metricsFromDump(rows) }, null, 2)}\n`);
} catch (e) {
  if (!(e instanceof LocalRecError)) throw e;
  process.stderr.write(`metrics-from-dump: ${e.message}\n`);
  process.exit(2);
}
