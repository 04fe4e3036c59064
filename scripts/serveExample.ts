/**
 * `npm run example:plain-html`: serves examples/plain-html/ at /, the built library (dist-lib/) at
 * /localrec/ and public/models/ at /models/, with the headers docs/EMBED.md asks of a host.
 *
 *   npm run example:plain-html [-- --port 4350]
 */
import { existsSync } from 'node:fs';
import { startPlainHtmlExample } from '../e2e/widget/origins';
import { failWith, parseCli } from './lib/cli';

const USAGE = 'usage: npm run example:plain-html -- [--port 4350]';
const fail = failWith('example:plain-html');
const { values } = parseCli('example:plain-html', USAGE, { options: { port: { type: 'string', default: '4350' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1024) fail(`--port ${values.port}: give a port number >= 1024`);
if (!existsSync('dist-lib/localrec-widget.js')) fail('dist-lib/ is missing: run `npm run build:lib` first (npm run example:plain-html does)');

const server = await startPlainHtmlExample(port);
process.stdout.write(`Open ${server.origin}/index.html (Ctrl+C stops the server)\n`);
