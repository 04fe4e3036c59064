import { createContext, useContext, useSyncExternalStore } from 'react';
import type { SiteController, SiteState } from './siteServiceWorker';

/** The site's service worker controller; null where the app runs without one (tests, widget hosts). */
export const SiteContext = createContext<SiteController | null>(null);

const noSubscribe = () => () => {};
const noState = () => null;

/** The site controller and its current state (both null without a provider). */
export function useSite(): { site: SiteController | null; state: SiteState | null } {
  const site = useContext(SiteContext);
  const state = useSyncExternalStore(site ? site.subscribe : noSubscribe, site ? site.get : noState);
  return { site, state };
}
