/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Model folder (under models/) the built app opens by default; `npm run demo` sets it. */
  readonly VITE_LOCALREC_DEFAULT_MODEL?: string;
}
