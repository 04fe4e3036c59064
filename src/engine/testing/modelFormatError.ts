import { expect } from 'vitest';
import { LocalRecError } from '../errors';

/** Runs `f` and expects a LocalRecError with code MODEL_FORMAT whose message matches `message` (tests only). */
export function expectModelFormatError(f: () => unknown, message: RegExp): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(LocalRecError);
  expect((err as LocalRecError).code).toBe('MODEL_FORMAT');
  expect((err as Error).message).toMatch(message);
}
