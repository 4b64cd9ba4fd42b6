/** What a store holds about runs: the JSON shapes of `runs/<id>/…`. */

/** `killed`: the process was stopped by a signal (MLflow's KILLED, Polyaxon's stopped). */
export type RunStatus = 'running' | 'completed' | 'failed' | 'killed';

/** `runs/<id>/run.json` */
export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  startTime: string;
  endTime?: string;
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  tags: Record<string, string>;
  git?: { commit?: string; branch?: string };
  host: { hostname: string; user: string; platform: string; node: string };
  /** Where the run was started, relative paths in the run are relative to it. */
  root: string;
}

/** One entry of `runs/<id>/artifacts.json`, keyed by its logical path in the run. */
export interface ArtifactRecord {
  /** Logical path: `outputs/<relPath>/<file>` or `assets/<type>/<name>_<step>[.<ext>]`. */
  path: string;
  name: string;
  type?: string;
  /** DVC hash: hex, or `<hex>.dir` for a directory. */
  md5: string;
  size: number;
  nfiles?: number;
  isdir: boolean;
  isexec?: boolean;
  /** False when only metadata was recorded (`cache: false`): the store has no bytes for it. */
  cached: boolean;
  step?: number;
  desc?: string;
  labels?: string[];
  /** How long it is kept (`30d`): retention expires it once older, unless something protects it. */
  ttl?: string;
  /** The aliases it was logged with (where each points now is in `aliases/<name>.json`). */
  aliases?: string[];
  meta?: Record<string, unknown>;
  /** The local path that was logged, relative to the run's root. */
  source: string;
  /** The `.dvc` pointer written for it, relative to the run's root. */
  dvcFile?: string;
  loggedAt: string;
}

/** One line of `runs/<id>/lineage.jsonl`: Polyaxon's V1RunArtifact, plus content identity. */
export interface LineageRow {
  name: string;
  kind: string;
  /** Logical path in the run, a URI for references, or a local path. */
  path: string;
  isInput: boolean;
  /** True when nothing was stored: the row only points at the data. */
  isRef: boolean;
  run: string;
  connection: string;
  summary: Record<string, unknown>;
  timestamp: string;
}

/** An artifact retention expired (`runs/<id>/expired/<gc id>.json`). */
interface ExpiredArtifact {
  path: string;
  name: string;
  md5: string;
  size: number;
  /** The policy (`type=checkpoint keep 5 ttl 30d`) or `ttl 7d` of the artifact itself. */
  reason: string;
}

/** What one gc expired of one run: the record `trove gc --policy` writes in its folder. */
export interface ExpiredRecord {
  format: 1;
  /** The gc that expired them. */
  gc: string;
  /** When (ISO 8601). */
  at: string;
  artifacts: ExpiredArtifact[];
}
