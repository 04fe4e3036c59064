import type { AppConfig } from '../appConfig';
import { ErrorPanel } from './ErrorPanel';
import { Feed } from './Feed';
import { LoadingBar } from './LoadingBar';
import { PrivacyPanel } from './PrivacyPanel';
import { SearchBox } from './SearchBox';
import { StatusPanel } from './StatusPanel';

/** Page layout: header with loading state, the feed, and the side panels. */
export function App({ config }: { config: AppConfig }) {
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
        <main id="main" tabIndex={-1}>
          <SearchBox />
          <Feed />
        </main>
        <aside className="side">
          <StatusPanel />
          <PrivacyPanel />
          <p className="muted small">
            Model: {config.modelName} · device requested: {config.device}
          </p>
        </aside>
      </div>
    </>
  );
}
