import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { TroveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { dumpYaml } from '../py/yaml-emit.js';

/** One `artifacts:` entry of dvc.yaml, in DVCLive's key order. */
export interface DvcYamlArtifact {
  path: string;
  type?: string;
  desc?: string;
  labels?: string[];
  meta?: Record<string, unknown>;
}

/**
 * Adds or replaces `artifacts.<name>` in a dvc.yaml (what DVCLive's `log_artifact` does with
 * metadata), keeping every other key, stage and comment of the file. `path` is made relative to
 * the dvc.yaml's directory. A new file is written exactly as DVC would write it.
 */
export function upsertDvcYamlArtifact(
  dvcYamlPath: string,
  name: string,
  artifact: DvcYamlArtifact,
): void {
  const file = resolve(dvcYamlPath);
  const entry: Record<string, unknown> = {
    path: relative(dirname(file), resolve(artifact.path)).split(sep).join('/'),
  };
  for (const key of ['type', 'desc', 'labels', 'meta'] as const) {
    if (artifact[key] !== undefined) entry[key] = artifact[key];
  }
  if (!existsSync(file)) {
    writeFileAtomic(file, dumpYaml({ artifacts: { [name]: entry } }));
    return;
  }
  const old = readFileSync(file, 'utf8');
  const doc = parseDocument(old);
  if (doc.errors.length > 0) {
    throw new TroveError('INVALID_CONFIG', `${file} is not valid YAML: ${doc.errors[0]?.message}`, {
      key: file,
      cause: doc.errors[0],
      hint: 'Fix the YAML syntax of dvc.yaml, then log again.',
    });
  }
  const plain = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof plain !== 'object' || Array.isArray(plain)) {
    throw new TroveError('INVALID_CONFIG', `${file} must hold a mapping at the top level.`, {
      key: file,
    });
  }
  const artifacts = plain.artifacts;
  if (
    artifacts !== undefined &&
    artifacts !== null &&
    (typeof artifacts !== 'object' || Array.isArray(artifacts))
  ) {
    throw new TroveError('INVALID_CONFIG', `${file}: "artifacts" must be a mapping.`, {
      key: file,
    });
  }
  // A file that is exactly what DVC's own writer produces is rewritten by that writer, byte for
  // byte; anything else (comments, other styles) is edited in place to keep what the user wrote.
  if (dumpYaml(plain) === old || old.trim() === '') {
    const next = {
      ...plain,
      artifacts: { ...((artifacts as Record<string, unknown>) ?? {}), [name]: entry },
    };
    writeFileAtomic(file, dumpYaml(next));
    return;
  }
  doc.setIn(['artifacts', name], doc.createNode(entry));
  writeFileAtomic(file, doc.toString({ indentSeq: false, lineWidth: 0 }));
}
