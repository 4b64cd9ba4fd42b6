/** The options of the Polyaxon dialect's calls, named as the client names its arguments. */
import type { Store } from '@trove/core';

export interface InitOptions {
  name?: string;
  /** Polyaxon's tags (a list), or trove's (a mapping). */
  tags?: readonly string[] | Record<string, string>;
  /** A store, or the name of one in `trove.yaml`. Defaults to the project's store. */
  store?: Store | string;
  /** Working directory: relative paths are resolved against it. Defaults to `process.cwd()`. */
  cwd?: string;
  configFile?: string;
  /**
   * The run's local folder (Polyaxon's `artifacts_path`). Default:
   * `<os temp dir>/trove-polyaxon/<run id>`, as the client's offline root is under `/tmp`.
   */
  artifactsPath?: string;
  /** Record the Git code reference at the start, as the client does (`track_code`); default true. */
  trackCode?: boolean;
}

export interface PathOptions {
  /** Create the whole path as a folder, not only its parent. */
  isDir?: boolean;
  /** Create it (default: true for outputs paths, false for artifacts paths, as the client does). */
  ensurePath?: boolean;
}

export interface LogArtifactOptions {
  /** The file or folder to log (copied into the run; the original is left as it is). */
  path: string;
  /** Defaults to the file name up to its first dot, sanitised as Polyaxon does. */
  name?: string;
  /** One of Polyaxon's kinds; default `file`. */
  kind?: string;
  summary?: Record<string, unknown>;
  /** Versioned: copied to `assets/<kind>/<name>_<step>[.<ext>]` with an event row. */
  step?: number;
  /** Unversioned: the folder under `outputs/`. */
  relPath?: string;
  /** The event's time (a versioned artifact); default now. */
  timestamp?: Date | string;
  /**
   * The old client's switch (before traceml 1.0 dropped it): `false` keeps the artifact
   * unversioned under `outputs/` even when a step is given. Without it, the step decides.
   */
  versioned?: boolean;
}

export interface LogModelOptions extends Omit<LogArtifactOptions, 'kind'> {
  framework?: string;
}

export interface LogRefOptions {
  path: string;
  name?: string;
  kind?: string;
  /** The content's hash, when known (else trove hashes a readable local path). */
  hash?: string;
  summary?: Record<string, unknown>;
  isInput?: boolean;
}

export interface LogModelRefOptions extends Omit<LogRefOptions, 'kind'> {
  framework?: string;
}

export interface LogCurveOptions {
  annotation?: string;
  step?: number;
  timestamp?: Date | string;
}

export interface LogMetricOptions {
  step?: number;
  /** The event's time; default now. */
  timestamp?: Date | string;
}
