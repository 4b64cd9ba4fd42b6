/** `/api/models` and `/api/models/<name>`: the registry, read-only. */
import { openRegistry, type Store } from '@trove/core';

export async function listModels(store: Store) {
  const models = await openRegistry(store).listModels();
  return {
    models: models.map((m) => ({
      name: m.name,
      versions: m.versionCount,
      aliases: m.aliases,
      tags: m.tags,
      latest: m.latestVersion ?? null,
      ...(m.description ? { description: m.description } : {}),
    })),
  };
}

export async function modelDetail(store: Store, name: string) {
  const registry = openRegistry(store);
  const model = await registry.getModel(name);
  const versions = await registry.searchVersions({ name });
  return {
    name: model.name,
    tags: model.tags,
    aliases: model.aliases,
    ...(model.description ? { description: model.description } : {}),
    versions: versions
      .sort((a, b) => b.version - a.version)
      .map((v) => ({
        version: v.version,
        source: v.source,
        ...(v.runId ? { runId: v.runId } : {}),
        md5: v.md5,
        tags: v.tags,
        aliases: v.aliases,
        createdAt: new Date(v.creationTimestamp).toISOString(),
        ...(v.description ? { description: v.description } : {}),
      })),
  };
}
