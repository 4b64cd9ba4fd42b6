import { type OpenStoreOptions, openStoreParts } from '../store/open-backends.js';
import { Store } from './store.js';

/**
 * Opens the store a project uses (see `openStoreParts` for which one). Close it with
 * `store.close()`; runs started with a store they did not open leave it open.
 *
 * @example
 * const store = await openStore({ store: 'team' });
 * try { console.log(await store.listRunIds()); } finally { await store.close(); }
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  return new Store(await openStoreParts(options));
}
