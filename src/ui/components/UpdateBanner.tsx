import { useSite } from '../site/SiteContext';

/** Offers the newer build the service worker has downloaded; the page reloads into it. */
export function UpdateBanner() {
  const { site, state } = useSite();
  if (!site || !state?.updateReady) return null;
  return (
    <div className="update-banner" role="status" data-testid="update-banner">
      A new version of LocalRec is ready.{' '}
      <button type="button" onClick={() => site.applyUpdate()}>
        Reload to update
      </button>
    </div>
  );
}
