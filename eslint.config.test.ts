import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: import.meta.dirname });

/** Lints `code` as if it were the file at `filePath` (repo-relative); returns the rule ids that fired. */
async function rulesFired(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? `parse: ${m.message}`);
}

describe('import restrictions (eslint.config.js)', () => {
  it('rejects engine internals in the app UI, values and types alike', async () => {
    expect(await rulesFired("import { LocalStore } from '../engine/store/localStore';\n", 'src/ui/Bad.ts')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import type { Recommender } from '../../engine/recommender/types';\nexport type R = Recommender;\n", 'src/ui/components/Bad.tsx')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import { createRecommender } from '../lib/createRecommender';\n", 'src/ui/Bad.ts')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import * as tf from '@tensorflow/tfjs';\n", 'src/ui/Bad.ts')).toEqual(['no-restricted-imports']);
  });

  it('rejects internals in e2e tests, examples and the widget, and React in the widget', async () => {
    expect(await rulesFired("import { DEFAULT_DISCOVER } from '../src/engine/rank/diversify';\n", 'e2e/bad.spec.ts')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import { useFeed } from '../../src/lib/react/useFeed';\n", 'examples/react/src/Bad.tsx')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import { useState } from 'react';\n", 'src/widget/Bad.ts')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import { LocalStore } from '../engine/store/localStore';\n", 'src/widget/Bad.ts')).toEqual(['no-restricted-imports']);
  });

  it('keeps the React bindings on the page entry by name', async () => {
    expect(await rulesFired("import { createRecommender } from '../createRecommender';\n", 'src/lib/react/Bad.tsx')).toEqual(['no-restricted-imports']);
    expect(await rulesFired("import { createRecommender } from 'localrec';\nimport { useEngine } from './useEngine';\n", 'src/lib/react/Good.tsx')).toEqual([]);
  });

  it('accepts the public entries and local files (JSX and type-only imports parse)', async () => {
    const good = [
      "import { createRecommender, type Recommender } from 'localrec';",
      "import { LocalRecFeed } from 'localrec/react';",
      "import { formatTime } from './formatTime';",
      'export const f = <T,>(x: T): T => x;',
      'export const el = (r: Recommender) => <LocalRecFeed options={{ modelUrl: String(r) }} />;',
      'export const c = createRecommender;',
    ].join('\n');
    expect(await rulesFired(good, 'src/ui/Good.tsx')).toEqual([]);
  });
});
