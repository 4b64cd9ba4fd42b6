/**
 * The API's routes (API.md): a pattern over the path after `/api/` and what answers it. A
 * handler returns the JSON to send, or `STREAMED` when it wrote the answer itself (files, zips,
 * binary curves).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '@trove/core';
import { compareData, MAX_COMPARE, MIN_COMPARE } from '../api/compare.js';
import { sendFile, sendZip } from '../api/file-stream.js';
import { imageNames, imagesOf } from '../api/images.js';
import { lineageGraph } from '../api/lineage.js';
import { sendMetrics } from '../api/metrics.js';
import { listModels, modelDetail } from '../api/models.js';
import { plotsOf } from '../api/plots.js';
import { previewFile } from '../api/preview.js';
import { folderTree, runDetail } from '../api/run-detail.js';
import { folderArtifact, locateFile, readRunArtifacts } from '../api/run-files.js';
import { columns, info, listRuns } from '../api/runs.js';
import { textsOf } from '../api/texts.js';
import { integer, list, oneOf, required } from './params.js';

export const STREAMED = Symbol('streamed');

interface RouteContext {
  store: Store;
  url: URL;
  /** The pattern's captures, decoded. */
  args: string[];
  req: IncomingMessage;
  res: ServerResponse;
  version: string;
}

type Handler = (ctx: RouteContext) => Promise<unknown>;

const runIds = (ctx: RouteContext) =>
  Promise.all(
    list(ctx.url, 'runs', { min: 1, max: MAX_COMPARE }).map((id) => ctx.store.resolveRunId(id)),
  );
/** The `runs` asked for, with their artifact records. */
const runArtifacts = async (ctx: RouteContext) => readRunArtifacts(ctx.store, await runIds(ctx));
const runOf = (ctx: RouteContext) => ctx.store.resolveRunId(ctx.args[0] as string);

export const ROUTES: ReadonlyArray<[RegExp, Handler]> = [
  [/^info$/, (c) => info(c.store, c.version)],
  [/^columns$/, (c) => columns(c.store)],
  [/^runs$/, (c) => listRuns(c.store, c.url)],
  [/^runs\/([^/]+)$/, async (c) => runDetail(c.store, await runOf(c))],
  [
    /^runs\/([^/]+)\/tree$/,
    async (c) => folderTree(c.store, await runOf(c), required(c.url, 'path')),
  ],
  [
    /^runs\/([^/]+)\/file$/,
    async (c) => {
      const file = await locateFile(c.store, await runOf(c), required(c.url, 'path'));
      await sendFile(c.store, c.req, c.res, file, c.url.searchParams.get('download') === '1');
      return STREAMED;
    },
  ],
  [
    /^runs\/([^/]+)\/preview$/,
    async (c) =>
      previewFile(c.store, await locateFile(c.store, await runOf(c), required(c.url, 'path'))),
  ],
  [
    /^runs\/([^/]+)\/zip$/,
    async (c) => {
      const folder = await folderArtifact(c.store, await runOf(c), required(c.url, 'path'));
      await sendZip(c.store, c.req, c.res, folder);
      return STREAMED;
    },
  ],
  [
    /^metrics$/,
    async (c) => {
      await sendMetrics(c.store, await runIds(c), c.url, c.res);
      return STREAMED;
    },
  ],
  [
    /^images$/,
    async (c) => {
      const name = required(c.url, 'name');
      return { images: imagesOf(await runArtifacts(c)).filter((i) => i.name === name) };
    },
  ],
  [/^images\/names$/, async (c) => imageNames(await runArtifacts(c))],
  [/^plots$/, async (c) => ({ plots: await plotsOf(c.store, await runArtifacts(c)) })],
  [
    /^texts$/,
    async (c) => {
      const ids = await runIds(c);
      const path = required(c.url, 'path');
      return textsOf(c.store, await readRunArtifacts(c.store, ids), path);
    },
  ],
  [
    /^compare$/,
    (c) => compareData(c.store, list(c.url, 'runs', { min: MIN_COMPARE, max: MAX_COMPARE })),
  ],
  [
    /^lineage$/,
    (c) =>
      lineageGraph(
        c.store,
        required(c.url, 'ref'),
        oneOf(c.url, 'dir', ['both', 'up', 'down'] as const),
        integer(c.url, 'depth', 3, 1, 10),
      ),
  ],
  [/^models$/, (c) => listModels(c.store)],
  [/^models\/([^/]+)$/, (c) => modelDetail(c.store, c.args[0] as string)],
];
