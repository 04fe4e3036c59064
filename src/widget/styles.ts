/**
 * The widget's stylesheet (applied inside its shadow root, so it neither leaks nor is reached by
 * the host's CSS). Theme with the `--localrec-*` custom properties or `::part()`.
 */
export const FEED_CSS = `
:host {
  all: initial;
  display: block;
  contain: content;
  font: var(--localrec-font, 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--localrec-fg, #1f2328);
  background: var(--localrec-bg, transparent);
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
.root { display: grid; gap: var(--localrec-gap, 12px); }
.header { display: flex; align-items: center; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
.heading { margin: 0; font-size: 1.1em; font-weight: 600; }
.status { margin: 0; font-size: 0.85em; color: var(--localrec-muted, #59636e); }
.note, .error {
  margin: 0; padding: 8px 10px; border-radius: var(--localrec-radius, 8px); font-size: 0.9em;
  border: 1px solid var(--localrec-border, #d1d9e0);
}
.error { border-color: var(--localrec-danger, #cf222e); color: var(--localrec-danger, #cf222e); background: var(--localrec-danger-bg, #ffebe9); }
.error ul { margin: 4px 0 0; padding-left: 18px; }
.list {
  list-style: none; margin: 0; padding: 0; display: grid; gap: var(--localrec-gap, 12px);
  grid-template-columns: repeat(auto-fill, minmax(var(--localrec-card-min-width, 180px), 1fr));
}
.card {
  display: flex; flex-direction: column; gap: 6px; padding: 12px;
  border: 1px solid var(--localrec-border, #d1d9e0); border-radius: var(--localrec-radius, 8px);
  background: var(--localrec-card-bg, #ffffff);
}
.title {
  all: unset; cursor: pointer; font-weight: 600; color: var(--localrec-link, inherit);
  overflow-wrap: anywhere; unicode-bidi: isolate;
  /* Catalog titles are data: a long one clamps to three lines instead of stretching the card. */
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden;
}
.title:hover { text-decoration: underline; }
.meta {
  font-size: 0.85em; color: var(--localrec-muted, #59636e); overflow-wrap: anywhere; unicode-bidi: isolate;
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; line-clamp: 2; overflow: hidden;
}
.actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: auto; }
button {
  font: inherit; font-size: 0.85em; line-height: 1.2; cursor: pointer;
  padding: 4px 8px; border-radius: calc(var(--localrec-radius, 8px) / 2);
  border: 1px solid var(--localrec-border, #d1d9e0);
  background: var(--localrec-button-bg, #f6f8fa); color: var(--localrec-fg, #1f2328);
}
button:hover { background: var(--localrec-button-hover-bg, #eaeef2); }
button[aria-pressed="true"] { background: var(--localrec-accent, #0969da); border-color: var(--localrec-accent, #0969da); color: var(--localrec-on-accent, #ffffff); }
button:disabled { cursor: default; opacity: 0.6; }
button:focus-visible, .title:focus-visible {
  outline: 2px solid var(--localrec-focus, var(--localrec-accent, #0969da)); outline-offset: 2px;
}
.why { margin: 0; font-size: 0.85em; color: var(--localrec-muted, #59636e); }
.menu-wrap { position: relative; }
.menu {
  position: absolute; right: 0; top: calc(100% + 4px); z-index: 1; width: min(320px, 90vw);
  display: grid; gap: 8px; padding: 12px; font-size: 0.9em;
  border: 1px solid var(--localrec-border, #d1d9e0); border-radius: var(--localrec-radius, 8px);
  background: var(--localrec-menu-bg, var(--localrec-card-bg, #ffffff)); box-shadow: 0 4px 16px rgb(0 0 0 / 0.12);
}
.menu p { margin: 0; }
.menu .row { display: flex; gap: 6px; flex-wrap: wrap; }
[hidden] { display: none !important; }
@media (prefers-reduced-motion: no-preference) { button { transition: background-color 0.1s; } }
`;
