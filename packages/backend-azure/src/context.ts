import type { Connection } from './client.js';
import type { BlockEvent, ResolvedOptions } from './options.js';

/** What every operation file gets: the connection and the resolved options. */
export interface AzureContext {
  readonly conn: Connection;
  readonly options: ResolvedOptions;
  /** Names the service in resume journals: the container URL (never carries a secret here). */
  readonly endpointId: string;
  readonly onBlock: ((event: BlockEvent) => void) | undefined;
}

/** The container URL without its query (a SAS), for journals and messages. */
export function endpointIdOf(conn: Connection): string {
  const url = new URL(conn.container.url);
  url.search = '';
  return url.toString();
}
