import { afterEach, describe, expect, it, vi } from 'vitest';
import { argsErrorMessage, parseCli } from './cli';

const USAGE = 'usage: npm run tool -- --out <dir> [--fast]';
const options = { out: { type: 'string' }, fast: { type: 'boolean', default: false } } as const;

/** process.exit that throws instead, so a test can see the status; stdout/stderr captured. */
function capture(): { exit: () => number | undefined; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  let status: number | undefined;
  vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    status = code;
    throw new Error(`exit ${code}`);
  }) as never);
  vi.spyOn(process.stdout, 'write').mockImplementation(((s: string) => { out += s; return true; }) as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(((s: string) => { err += s; return true; }) as never);
  return { exit: () => status, out: () => out, err: () => err };
}

afterEach(() => vi.restoreAllMocks());

describe('parseCli', () => {
  it('returns the parsed values for good arguments', () => {
    const { values } = parseCli('tool', USAGE, { options, args: ['--out', 'x', '--fast'] });
    expect(values).toEqual({ out: 'x', fast: true });
  });

  it('prints the usage and exits 0 on --help and -h', () => {
    for (const flag of ['--help', '-h']) {
      const c = capture();
      expect(() => parseCli('tool', USAGE, { options, args: ['--out', 'x', flag] })).toThrow('exit 0');
      expect(c.exit()).toBe(0);
      expect(c.out()).toBe(`${USAGE}\n`);
      vi.restoreAllMocks();
    }
  });

  it('names an unknown option, prints the usage and exits 2 without a stack trace', () => {
    const c = capture();
    expect(() => parseCli('tool', USAGE, { options, args: ['--epoch', '3'] })).toThrow('exit 2');
    expect(c.exit()).toBe(2);
    expect(c.err()).toBe(`tool: Unknown option '--epoch'.\n${USAGE}\n`);
  });

  it('says which option is missing its value', () => {
    const c = capture();
    expect(() => parseCli('tool', USAGE, { options, args: ['--out'] })).toThrow('exit 2');
    expect(c.err()).toMatch(/^tool: Option '--out <value>' argument missing\.\n/);
  });

  it('rejects a stray argument when the tool takes none', () => {
    const c = capture();
    expect(() => parseCli('tool', USAGE, { options, args: ['stray'] })).toThrow('exit 2');
    expect(c.err()).toMatch(/^tool: Unexpected argument 'stray'\.\n/);
  });
});

describe('argsErrorMessage', () => {
  it('leaves errors that are not argument errors alone', () => {
    expect(argsErrorMessage(new Error('disk full'))).toBeNull();
    expect(argsErrorMessage(null)).toBeNull();
  });

  it("drops Node's advice about '--' and keeps the sentence that names the option", () => {
    const e = Object.assign(new TypeError(
      "Unknown option '--help'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--help\"",
    ), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    expect(argsErrorMessage(e)).toBe("Unknown option '--help'.");
  });
});
