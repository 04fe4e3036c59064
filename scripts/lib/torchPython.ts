/**
 * Finds a Python 3 that can `import torch` (the PyTorch trainer and its parity test need one).
 * Order: $LOCALREC_PYTHON, `python3` on the PATH, then /usr/bin/python3 (Debian's python3-torch
 * installs there even when another python3, e.g. pyenv's, comes first on the PATH).
 */
import { spawnSync } from 'node:child_process';
import { LocalRecError } from '../../src/engine/errors';

/** The interpreter and the torch version it imports. */
export interface TorchPython {
  python: string;
  torchVersion: string;
}

/** Where the trainer looks for an interpreter, in order. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env.LOCALREC_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return [...new Set(list)];
}

/** The first candidate that imports torch; throws a LocalRecError saying what to install when none does. */
export function findTorchPython(candidates: readonly string[] = pythonCandidates()): TorchPython {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, torchVersion: r.stdout.trim() };
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    tried.push(`${python}: ${why}`);
  }
  throw new LocalRecError('INVALID_INPUT',
    `PyTorch is not installed for any Python found (${tried.join('; ')}). ` +
    'Install it: on Debian/Ubuntu `sudo apt-get install python3-torch` (CPU), or `pip install torch numpy` ' +
    '(pick the CUDA build at pytorch.org for GPUs); or set LOCALREC_PYTHON to a python3 that has it.');
}
