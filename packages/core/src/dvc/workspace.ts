/**
 * What logging an artifact leaves in the user's workspace, as `dvc add` and DVCLive do: the
 * `<path>.dvc` pointer and its `.gitignore` line when the content is cached, and a dvc.yaml
 * `artifacts:` entry when any metadata (or an explicit name or type) was given.
 */
import { upsertDvcYamlArtifact } from './dvcyaml.js';
import { type DvcOut, ignoreInGit, writeDvcFile } from './pointer.js';

export interface WorkspaceArtifact {
  /** The local path that is tracked (after DVCLive's `copy`, the copy). */
  path: string;
  /** The artifact's name (given or derived). */
  name: string;
  out: DvcOut;
  /** False for `cache: false`: nothing stored, so no pointer. */
  cached: boolean;
  /** What the caller gave explicitly; any of these makes a dvc.yaml entry. */
  given: {
    name?: string;
    type?: string;
    desc?: string;
    labels?: string[];
    meta?: Record<string, unknown>;
  };
}

/** Writes the pointer, the `.gitignore` line and the dvc.yaml entry; returns the pointer's path. */
export function writeWorkspacePointers(
  artifact: WorkspaceArtifact,
  dvcyaml: string | undefined,
): { dvcFile?: string } {
  let dvcFile: string | undefined;
  if (artifact.cached) {
    dvcFile = writeDvcFile(artifact.path, artifact.out);
    ignoreInGit(artifact.path);
  }
  const { given } = artifact;
  const hasMetadata = Object.values(given).some((v) => v !== undefined);
  if (hasMetadata && dvcyaml) {
    upsertDvcYamlArtifact(dvcyaml, artifact.name, {
      path: artifact.path,
      ...(given.type !== undefined ? { type: given.type } : {}),
      ...(given.desc !== undefined ? { desc: given.desc } : {}),
      ...(given.labels ? { labels: given.labels } : {}),
      ...(given.meta ? { meta: given.meta } : {}),
    });
  }
  return dvcFile ? { dvcFile } : {};
}
