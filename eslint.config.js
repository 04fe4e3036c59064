// ESLint (flat config): keeps consumers of LocalRec on its public entries. `npm run lint`, part of `npm test`.
import babelParser from '@babel/eslint-parser';

/** Import paths that reach into the engine or the library sources instead of a public entry. */
const INTERNALS = ['**/engine', '**/engine/**', '**/lib', '**/lib/**', '**/worker', '**/worker.ts'];
/** The e2e tests may use the Node tools in `scripts/lib` (e.g. to write a model manifest), not the library sources. */
const E2E_INTERNALS = ['**/engine', '**/engine/**', '**/src/lib', '**/src/lib/**', '**/worker', '**/worker.ts'];
const INTERNALS_MESSAGE = 'Import LocalRec only through its public entries: "localrec", "localrec/react", "localrec/widget" (types too, with `import type`).';

function restrict(patterns) {
  return ['error', { patterns }];
}

/** TypeScript without the TypeScript compiler (TS 7 has no JS API for typescript-eslint): Babel parses it. */
const parseWith = (plugins) => ({
  parser: babelParser,
  parserOptions: { requireConfigFile: false, babelOptions: { babelrc: false, configFile: false, parserOpts: { plugins } } },
});

export default [
  { ignores: ['dist/**', 'dist-lib/**', 'node_modules/**', 'test-results/**', 'examples/*/dist/**', 'checkpoints/**', 'runs/**'] },
  { files: ['**/*.ts'], languageOptions: parseWith(['typescript']) },
  { files: ['**/*.tsx'], languageOptions: parseWith(['jsx', 'typescript']) },
  // Consumers: the app UI, the widget, the examples and the end-to-end tests.
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/widget/**/*.{ts,tsx}', 'examples/**/*.{ts,tsx}', 'e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: INTERNALS, message: INTERNALS_MESSAGE },
        { group: ['@tensorflow/*'], message: 'TensorFlow.js runs in the engine worker only; the page talks to it through "localrec".' },
      ]),
    },
  },
  {
    files: ['e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: E2E_INTERNALS, message: INTERNALS_MESSAGE },
        { group: ['@tensorflow/*'], message: 'TensorFlow.js runs in the engine worker only; the page talks to it through "localrec".' },
      ]),
    },
  },
  // The widget is framework-free (a host page should not download React for a strip of cards).
  {
    files: ['src/widget/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrict([
        { group: INTERNALS, message: INTERNALS_MESSAGE },
        { group: ['@tensorflow/*'], message: 'TensorFlow.js runs in the engine worker only.' },
        { group: ['react', 'react/*', 'react-dom', 'react-dom/*', 'localrec/react'], message: 'The widget must not use React; React hosts use "localrec/react".' },
      ]),
    },
  },
  // The React bindings import the page API by name, so the build keeps one shared copy of it.
  {
    files: ['src/lib/react/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/engine', '**/engine/**', '../*', '!./*'], message: 'localrec/react imports the page API as "localrec" (one copy shared with the page entry).' },
        { group: ['@tensorflow/*'], message: 'TensorFlow.js runs in the engine worker only.' },
      ]),
    },
  },
];
