// The log's actions (PROTOCOL.md, "Actions"), as this library writes and reads them. Fields it
// does not use are kept when read (the log is replayed as written) but never required.

export interface AddFile {
  /** Relative to the table root, URI-encoded as the protocol says. */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON text of the file's statistics. */
  stats?: string | null;
  tags?: Record<string, string | null> | null;
}

export interface RemoveFile {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean | null;
  partitionValues?: Record<string, string | null> | null;
  size?: number | null;
}

export interface Metadata {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  createdTime?: number | null;
  configuration: Record<string, string>;
}

export interface Protocol {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[] | null;
  writerFeatures?: string[] | null;
}

export interface Txn {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

export interface CommitInfo {
  timestamp: number;
  operation: string;
  /** Unique per commit attempt series: how a writer recognises its own commit after a lost answer. */
  txnId: string;
  engineInfo: string;
  [key: string]: unknown;
}

export type Action =
  | { add: AddFile }
  | { remove: RemoveFile }
  | { metaData: Metadata }
  | { protocol: Protocol }
  | { txn: Txn }
  | { commitInfo: CommitInfo };

/** One commit's actions as newline-delimited JSON. */
export function encodeCommit(actions: readonly Action[]): string {
  return `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`;
}

/** The actions of one commit file; blank lines are ignored. */
export function decodeCommit(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
