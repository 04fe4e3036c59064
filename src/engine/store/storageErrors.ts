import { LocalRecError } from '../errors';

function errorName(err: unknown): string | null {
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : null;
}

/** The browser refused a write because the origin's storage quota (or the disk) is full. */
export function isQuotaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (errorName(e) === 'QuotaExceededError') return true;
    if (e instanceof LocalRecError && e.code === 'STORAGE_FULL') return true;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return false;
}

/** A failed IndexedDB operation as a `LocalRecError` (`STORAGE_FULL` when the quota is the reason). */
export function storageError(what: string, err: unknown): LocalRecError {
  const why = err instanceof Error ? err.message : String(err);
  if (isQuotaError(err)) {
    return new LocalRecError('STORAGE_FULL', `Could not ${what}: this site's storage is full (${why}). Free some space (or delete other sites' data), then retry.`, { cause: err });
  }
  return new LocalRecError('STORAGE_FAILED', `Could not ${what} in IndexedDB (${why}). Check that the browser allows site storage and has free space, then retry.`, { cause: err });
}

/** Why IndexedDB cannot be opened, in words for the person (the engine then keeps data in memory). */
export function unavailableReason(err: unknown): string {
  const name = errorName(err);
  const why = err instanceof Error ? err.message : String(err);
  if (name === 'VersionError') return `the stored data was written by a newer version of this app (${why}); reload the page to update`;
  if (name === 'SecurityError') return `the browser does not allow this site to store data (${why})`;
  if (name === 'InvalidStateError') return `the browser does not allow site storage here, e.g. in a private window (${why})`;
  return why;
}
