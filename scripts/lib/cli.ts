/** Shared bits of the Node CLIs: one way to read arguments, to fail on bad ones and to read numbers. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Returns `fail(message)`: prints "<tool>: message" to stderr and exits with status 2. */
export function failWith(tool: string): (message: string) => never {
  return (message: string): never => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(2);
  };
}

/**
 * Turns an argument error thrown by `node:util` parseArgs into one plain sentence naming the bad
 * argument ("Unknown option '--epoch'"), without Node's advice about `--` (which confuses `npm run`
 * users); returns null for any other error.
 */
export function argsErrorMessage(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return null;
  const message = (error as Error).message;
  const firstSentence = message.split(/\.(?:\s|$)/)[0].trim();
  return `${firstSentence}.`;
}

/**
 * parseArgs for the CLIs: `--help` / `-h` prints the usage and exits 0; an unknown option, a missing
 * value or a stray argument fails with "<tool>: <what is wrong>" and the usage (exit status 2),
 * never with a stack trace.
 */
export function parseCli<T extends ParseArgsConfig>(tool: string, usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  const argv = config.args ?? process.argv.slice(2);
  const helpIsOption = config.options !== undefined && 'help' in config.options;
  if (!helpIsOption && argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    const message = argsErrorMessage(error);
    if (message === null) throw error;
    return failWith(tool)(`${message}\n${usage}`);
  }
}

/** Parses `--name raw` as an integer >= min, or fails naming the option. */
export function intOption(fail: (message: string) => never, name: string, raw: string, min = 1): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return v;
}
