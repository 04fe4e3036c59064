import { describe, expect, it } from 'vitest';
import { LocalRecError } from '../../src/engine/errors';
import { findTorchPython, pythonCandidates } from './torchPython';

describe('findTorchPython', () => {
  it('tries $LOCALREC_PYTHON first, then python3, then /usr/bin/python3', () => {
    expect(pythonCandidates({ LOCALREC_PYTHON: '/opt/py/bin/python' })).toEqual(['/opt/py/bin/python', 'python3', '/usr/bin/python3']);
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
  });

  it('without any python that imports torch, says what to install', () => {
    let err: unknown;
    try { findTorchPython(['/nonexistent/python3']); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(LocalRecError);
    expect((err as LocalRecError).message).toMatch(/PyTorch is not installed.*\/nonexistent\/python3.*apt-get install python3-torch.*LOCALREC_PYTHON/);
  });

  it('finds the torch this machine has (CI installs python3-torch)', () => {
    expect(findTorchPython().torchVersion).toMatch(/^\d+\.\d+/);
  });
});
