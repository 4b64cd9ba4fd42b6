/**
 * `MlflowClient`'s registry calls, on trove's serverless registry (`registry/<name>.json` in the
 * store, updated with conditional writes). Names and return shapes follow MLflow's client.
 */
import {
  type ModelRegistry,
  type ModelVersion,
  openRegistry,
  type RegisteredModel,
  type Store,
} from '@trove/core';
import type { SearchVersionsOptions } from '@trove/core/dialect';
import { currentStore, flushActiveRuns } from './active-runs.js';
import { type FileInfo, listRunArtifacts } from './artifacts.js';
import type { MlflowRun } from './run-view.js';
import { getStoreRun, type PagedList, type RunViewType, searchRunPage } from './search-runs.js';

/** MLflow's client default (`SEARCH_MAX_RESULTS_DEFAULT`). */
const CLIENT_MAX_RESULTS = 1000;

export class MlflowClient {
  readonly #store: Store | undefined;
  #registry: ModelRegistry | undefined;

  /** The store to use; the active run's (or the project's) when omitted. */
  constructor(store?: Store) {
    this.#store = store;
  }

  async #runs(): Promise<Store> {
    await flushActiveRuns();
    return this.#store ?? (await currentStore());
  }

  async #reg(): Promise<ModelRegistry> {
    this.#registry ??= openRegistry(this.#store ?? (await currentStore()));
    return this.#registry;
  }

  /** Registers what `modelUri` names (`runs:/…`, `models:/…`) as the next version of `name`. */
  async registerModel(modelUri: string, name: string, tags?: Record<string, unknown>) {
    return (await this.#reg()).registerModel(modelUri, name, tags ? { tags } : {});
  }

  /** MLflow's `create_model_version(name, source, run_id?)`. */
  createModelVersion(name: string, source: string): Promise<ModelVersion> {
    return this.registerModel(source, name);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.#reg()).getModel(name);
  }

  async searchRegisteredModels(): Promise<RegisteredModel[]> {
    return (await this.#reg()).listModels();
  }

  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    return (await this.#reg()).getVersion(name, version);
  }

  async getLatestVersion(name: string): Promise<ModelVersion> {
    return (await this.#reg()).latestVersion(name);
  }

  async searchModelVersions(options: SearchVersionsOptions = {}): Promise<ModelVersion[]> {
    return (await this.#reg()).searchVersions(options);
  }

  async setRegisteredModelAlias(name: string, alias: string, version: number | string) {
    await (await this.#reg()).setAlias(name, alias, version);
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await (await this.#reg()).deleteAlias(name, alias);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (await this.#reg()).getVersionByAlias(name, alias);
  }

  async setModelVersionTag(name: string, version: number | string, key: string, value: unknown) {
    await (await this.#reg()).setVersionTag(name, version, key, value);
  }

  async setRegisteredModelTag(name: string, key: string, value: unknown): Promise<void> {
    await (await this.#reg()).setModelTag(name, key, value);
  }

  async updateModelVersion(name: string, version: number | string, description: string) {
    await (await this.#reg()).updateDescription(name, description, version);
  }

  async deleteModelVersion(name: string, version: number | string): Promise<void> {
    await (await this.#reg()).deleteVersion(name, version);
  }

  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const store = this.#store ?? (await currentStore());
    return listRunArtifacts(store, await store.resolveRunId(runId), path);
  }

  /**
   * `search_runs`: one page of the runs of `experimentIds` that match `filterString`, with the
   * next page's token as `token` (null on the last page).
   *
   * @example
   * const page = await client.searchRuns(['0'], "metrics.acc > 0.9", ViewType.ACTIVE_ONLY, 10);
   * const next = await client.searchRuns(['0'], "metrics.acc > 0.9", undefined, 10, [], page.token);
   */
  async searchRuns(
    experimentIds: string | readonly string[],
    filterString = '',
    runViewType?: RunViewType,
    maxResults: number = CLIENT_MAX_RESULTS,
    orderBy?: readonly string[],
    pageToken?: string | null,
  ): Promise<PagedList<MlflowRun>> {
    return searchRunPage(await this.#runs(), {
      experimentIds: typeof experimentIds === 'string' ? [experimentIds] : experimentIds,
      filterString,
      runViewType,
      maxResults,
      orderBy,
      pageToken,
    });
  }

  /** `get_run`: the run `runId` (or a unique prefix), as `searchRuns` shows it. */
  async getRun(runId: string): Promise<MlflowRun> {
    return getStoreRun(await this.#runs(), runId);
  }
}
