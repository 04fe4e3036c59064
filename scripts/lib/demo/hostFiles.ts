import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../../src/site/securityHeaders.ts';

/**
 * Header files for common static hosts, written into a demo site by `npm run demo`. All carry
 * the same headers as the dev server and the service worker (src/site/securityHeaders.ts).
 */
export interface HostFile {
  path: string;
  text: string;
}

/** Netlify and Cloudflare Pages read `_headers` at the site root. */
export function netlifyHeaders(): string {
  const lines = Object.entries(securityHeaders()).map(([k, v]) => `  ${k}: ${v}`);
  return [
    '# Netlify / Cloudflare Pages: headers for every path (see DEPLOY.md beside this file).',
    '/*',
    ...lines,
    '',
    '/models/*',
    '  Cache-Control: public, max-age=3600',
    '',
    '# The service worker must be re-checked on every visit so a new build is found.',
    '/sw.js',
    '  Cache-Control: no-cache',
    '',
  ].join('\n');
}

/** An nginx `location` block serving the site with the same headers. */
export function nginxSnippet(): string {
  const lines = Object.entries(securityHeaders()).map(([k, v]) => `  add_header ${k} "${v}" always;`);
  return [
    '# nginx: include inside your server { } block; root points at this folder.',
    'location / {',
    ...lines,
    '  try_files $uri $uri/ /index.html;',
    '}',
    'location = /sw.js {',
    ...lines,
    '  add_header Cache-Control "no-cache" always;',
    '}',
    'types { application/wasm wasm; application/manifest+json webmanifest; }',
    '',
  ].join('\n');
}

/** Short deployment notes kept beside the site (the full guide is docs/DEPLOY.md in the repo). */
export function deployNotes(modelName: string): string {
  return `# Deploying this LocalRec site

This folder is a complete static site (default model: models/${modelName}/). Serve it over https
(or on localhost): the service worker that makes it work offline needs a secure origin.

- Netlify, Cloudflare Pages: upload the folder; \`_headers\` sets the headers below.
- nginx: include \`nginx.conf\` in your server block.
- GitHub Pages and other hosts that cannot send headers: upload the folder as is (\`.nojekyll\`
  keeps files starting with "_"). The service worker adds the headers itself after the first
  load: the first visit reloads the page once, then WASM runs multi-threaded and offline.

Headers the site wants on every file:

${Object.entries(securityHeaders()).map(([k, v]) => `    ${k}: ${v}`).join('\n')}

The Content-Security-Policy (${CONTENT_SECURITY_POLICY.split(';')[0]}; …) keeps every request on this origin.

To update the model: rerun \`npm run demo\` into a fresh folder and upload it. The app finds the new
manifest.json, downloads the new files and drops the old ones; a new build shows "Reload to update".
`;
}

/** Every host file of a demo site. */
export function hostFiles(modelName: string): HostFile[] {
  return [
    { path: '_headers', text: netlifyHeaders() },
    { path: 'nginx.conf', text: nginxSnippet() },
    { path: '.nojekyll', text: '' },
    { path: 'DEPLOY.md', text: deployNotes(modelName) },
  ];
}
