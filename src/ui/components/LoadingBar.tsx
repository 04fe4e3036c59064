import { useEngineCore, useEngineActivity } from 'localrec/react';

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Real download progress: bytes loaded over total bytes of all model files. */
export function LoadingBar() {
  const { phase } = useEngineCore();
  const { progress } = useEngineActivity();
  if (phase !== 'loading') return null;
  const known = progress.total > 0;
  return (
    <div className="loading" role="status">
      <label>
        Loading the recommendation model{progress.file ? ` (${progress.file})` : ''}
        <progress aria-label="Model download" max={known ? progress.total : undefined} value={known ? progress.loaded : undefined} />
      </label>
      <span className="muted">{known ? `${megabytes(progress.loaded)} of ${megabytes(progress.total)} MB` : 'Starting…'}</span>
    </div>
  );
}
