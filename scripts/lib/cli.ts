/** Shared bits of the Node CLIs: one way to fail on bad arguments and to read numbers. */

/** Returns `fail(message)`: prints "<tool>: message" to stderr and exits with status 2. */
export function failWith(tool: string): (message: string) => never {
  return (message: string): never => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(2);
  };
}

/** Parses `--name raw` as an integer >= min, or fails naming the option. */
export function intOption(fail: (message: string) => never, name: string, raw: string, min = 1): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return v;
}
