import { useEngineCore } from 'localrec/react';

/**
 * A model that failed to load (missing, corrupted, unsupported device): what happened and a retry.
 * Otherwise the latest background failure (fine-tuning, storage, another tab), until dismissed.
 */
export function ErrorPanel() {
  const { phase, error, retry, problem, dismissProblem } = useEngineCore();
  if (phase === 'error' && error) {
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
  if (!problem) return null;
  return (
    <div className="error-panel" role="alert" data-testid="engine-problem" data-code={problem.code}>
      <p>{problem.message}</p>
      <p className="muted">Error code: {problem.code}</p>
      <button type="button" onClick={dismissProblem}>
        Dismiss
      </button>
    </div>
  );
}
