// Worker threads do not inherit tsx's loader: register it, then load the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./trainWorker.ts');
