/**
 * `models:/` URIs, as MLflow parses them: `models:/<name>/<version>`, `models:/<name>@<alias>`,
 * `models:/<name>/latest`, and `models:/<model-id>` (a logged model, MLflow 3). Stages
 * (`models:/<name>/Production`) were deprecated by MLflow and are not supported.
 */
import { TroveError } from '../errors.js';
import type { MetaLocation } from '../record/meta-io.js';
import { isModelId, type LoggedModelRef, readLoggedModel } from './logged-models.js';
import { ModelRegistry, type ModelVersion } from './model-registry.js';

export type ModelUriTarget = { version: ModelVersion } | { logged: LoggedModelRef };

export const MODELS_SCHEME = 'models:/';

export async function resolveModelUri(store: MetaLocation, uri: string): Promise<ModelUriTarget> {
  const rest = uri.slice(MODELS_SCHEME.length).replace(/\/+$/, '');
  const registry = new ModelRegistry(store);
  const at = rest.indexOf('@');
  if (at > 0 && !rest.includes('/')) {
    return { version: await registry.getVersionByAlias(rest.slice(0, at), rest.slice(at + 1)) };
  }
  const slash = rest.indexOf('/');
  if (slash < 0) {
    if (isModelId(rest)) return { logged: await readLoggedModel(store, rest) };
    throw new TroveError('NOT_FOUND', `No logged model ${JSON.stringify(rest)} (${uri}).`, {
      hint: 'Name a version: models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/latest.',
    });
  }
  const name = rest.slice(0, slash);
  const which = rest.slice(slash + 1);
  if (which === 'latest') return { version: await registry.latestVersion(name) };
  if (/^\d+$/.test(which)) return { version: await registry.getVersion(name, which) };
  throw new TroveError('NOT_FOUND', `Nothing at ${uri}: "${which}" is not a version or "latest".`, {
    hint: 'Stages are not supported; use an alias: models:/<name>@<alias>.',
  });
}
