import { useEngine } from 'localrec/react';

/** A model that failed to load (missing, corrupted, unsupported device): what happened and a retry. */
export function ErrorPanel() {
  const { phase, error, retry } = useEngine();
  if (phase !== 'error' || !error) return null;
  return (
    <div className="error-panel" role="alert">
      <h2>The recommendation model could not be loaded</h2>
      <p>{error.message}</p>
      <p className="muted">Error code: {error.code}</p>
      <button type="button" onClick={retry}>
        Retry
      </button>
    </div>
  );
}
