/**
 * Recomputes HR@K and NDCG@K (K = 5, 10, 20) from a `--dump-ranks` file, independently of the
 * evaluation code that wrote it:
 *
 *   npm run metrics-from-dump -- ranks.tsv [--versus baseline-ranks.tsv]
 *
 * --versus adds a paired comparison with another dump of the same people and targets: the lift
 * of NDCG@10 in percent with its paired bootstrap 95% interval.
 */
import { readFileSync } from 'node:fs';
import { parseCli } from './lib/cli';
import { LocalRecError } from '../src/engine/errors';
import { metricsFromDump, pairedNdcgLift, parseRankDump } from '../src/engine/eval/rankDump';

const USAGE = 'usage: npm run metrics-from-dump -- <ranks.tsv> [--versus <baseline ranks.tsv>]';
const { values: args, positionals } = parseCli('metrics-from-dump', USAGE, { options: { versus: { type: 'string' } }, allowPositionals: true });
const file = positionals[0];
if (!file || positionals.length > 1) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
try {
  const rows = parseRankDump(readFileSync(file, 'utf8'), file);
  const out: Record<string, unknown> = { users: rows.length, metrics: metricsFromDump(rows) };
  if (args.versus) {
    const baseline = parseRankDump(readFileSync(args.versus, 'utf8'), args.versus);
    out.versus = { baseline: args.versus, ...pairedNdcgLift(rows, baseline, file, args.versus) };
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} catch (e) {
  if (!(e instanceof LocalRecError)) throw e;
  process.stderr.write(`metrics-from-dump: ${e.message}\n`);
  process.exit(2);
}
