import type { AppConfig } from '../appConfig';
import { useOnboarding } from '../useOnboarding';
import { ErrorPanel } from './ErrorPanel';
import { Feed } from './Feed';
import { LoadingBar } from './LoadingBar';
import { Onboarding } from './Onboarding';
import { PrivacyPanel } from './PrivacyPanel';
import { SearchBox } from './SearchBox';
import { StatusPanel } from './StatusPanel';
import { TasteProfile } from './TasteProfile';

/** Page layout: header with loading state, first-visit onboarding above the feed, and the side panels. */
export function App({ config }: { config: AppConfig }) {
  const onboarding = useOnboarding();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to the feed
      </a>
      <header className="app-header">
        <h1>LocalRec</h1>
        <p className="tagline">Recommendations that learn on your device. Nothing leaves this browser.</p>
        <LoadingBar />
        <ErrorPanel />
      </header>
      <div className="layout">
        <main id="main" tabIndex={-1} data-onboarding={onboarding.state}>
          {onboarding.state === 'open' && <Onboarding onboarding={onboarding} />}
          <SearchBox />
          <Feed />
        </main>
        <aside className="side">
          <StatusPanel />
          <TasteProfile />
          <PrivacyPanel />
          <p className="muted small">
            Model: {config.modelName} · device requested: {config.device}
          </p>
        </aside>
      </div>
    </>
  );
}
