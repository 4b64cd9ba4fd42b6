/**
 * The JSON shapes of packages/ui/API.md, as the browser sees them. Where the server declares a
 * shape, the type is the server's own, imported as a type only (nothing of the server is bundled;
 * web/tsconfig.json has Node's types for checking those files).
 */
import type { CompareData as ServerCompareData } from '../../src/api/compare.js';
import type { LineageEdge, LineageNode } from '../../src/api/lineage.js';
import type { ArtifactEntry } from '../../src/api/run-detail.js';

export type { CompareRow as DiffRow } from '../../src/api/compare.js';
export type { LineageNode } from '../../src/api/lineage.js';
export type { PlotEntry } from '../../src/api/plots.js';
export type { Preview } from '../../src/api/preview.js';
export type { ArtifactEntry } from '../../src/api/run-detail.js';
export type { TextEntry } from '../../src/api/texts.js';

type Value = string | number | boolean | null;

export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
  position?: number;
}

export interface StoreInfo {
  store: { kind: string; location: string };
  version: string;
  runs: number;
}

export interface Columns {
  params: string[];
  metrics: string[];
  tags: string[];
}

export interface RunRow {
  id: string;
  name: string;
  status: string;
  startTime: number | string | null;
  endTime: number | string | null;
  experiment?: string;
  params: Record<string, Value>;
  metrics: Record<string, Value>;
  tags: Record<string, Value>;
}

export interface RunsPage {
  total: number;
  offset: number;
  rows: RunRow[];
}

interface RunRecord {
  id: string;
  name?: string;
  status?: string;
  startTime?: number | string;
  endTime?: number | string;
  experiment?: string;
  params?: Record<string, unknown>;
  summary?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  git?: Record<string, unknown>;
  host?: Record<string, unknown> | string;
  [key: string]: unknown;
}

export interface RunDetail {
  run: RunRecord;
  artifacts: ArtifactEntry[];
  events: { kind: string; name: string; count: number }[];
}

export interface TreeEntry {
  path: string;
  md5: string;
  size: number;
}

export interface Series {
  run: string;
  key: string;
  x: number[];
  y: (number | null)[];
  ymin?: (number | null)[];
  ymax?: (number | null)[];
  total: number;
}

/** The server's `/api/compare`, with the run records as the browser reads them. */
export type CompareData = Omit<ServerCompareData, 'runs'> & { runs: RunRecord[] };

export interface ImageEntry {
  run: string;
  /** null for an image logged without a step */
  step: number | null;
  path: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface ModelSummary {
  name: string;
  versions: number;
  aliases: Record<string, number | string>;
  tags: Record<string, unknown>;
  latest: number | string | null;
}

interface ModelVersionRow {
  version: number | string;
  source: string;
  runId?: string;
  md5: string;
  tags: Record<string, unknown>;
  aliases: string[];
  createdAt: number | string;
}

export interface ModelDetail {
  name: string;
  tags: Record<string, unknown>;
  aliases: Record<string, number | string>;
  versions: ModelVersionRow[];
}
