/**
 * What retention expires now: each artifact goes to the first policy that matches it (by type,
 * name, label); of a policy's artifacts, the newest `keep.last` of each name stay and the rest
 * expire once older than `ttl` (at once without one). An artifact's own `ttl` (logArtifact's
 * option) expires it once it is that old, whatever the policies. Nothing aliased (an artifact
 * alias or a registry alias), registered (any model version) or used as an input by a run ever
 * expires: runs themselves are never removed, so every run that used something is a kept run.
 * Content is compared by md5, so bytes a protected artifact shares are protected too.
 */
import { mapLimit } from '../backend/map-limit.js';
import { parseDuration } from '../project/duration.js';
import type { RetentionPolicy } from '../project/retention-config.js';
import { expiredKey, runsAndExpiredKeys } from '../record/expired.js';
import type { ArtifactRecord } from '../record/records.js';
import type { Store } from '../record/store.js';
import { listArtifactAliases } from '../registry/artifact-aliases.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { groupInto } from './rows.js';

/** One artifact the plan names: what it is, and why it goes (or what keeps it). */
export interface PlannedArtifact {
  runId: string;
  path: string;
  name: string;
  type: string | null;
  md5: string;
  size: number;
  loggedAt: string;
  /** Why it expires: the policy, or `ttl <text>` of its own. */
  reason: string;
}

export interface ProtectedArtifact extends PlannedArtifact {
  /** What kept it from expiring. */
  by: 'alias' | 'registered' | 'input';
}

export interface RetentionPlan {
  expiring: PlannedArtifact[];
  /** Artifacts a policy or ttl would have expired, kept by a protection. */
  protected: ProtectedArtifact[];
}

const RUN_CONCURRENCY = 16;

interface Candidate extends Omit<PlannedArtifact, 'reason'> {
  labels: string[];
  ttl?: string;
}

/** The plan for `store` under `policies` at `now` (nothing is written). */
export async function planRetention(
  store: Store,
  policies: readonly RetentionPolicy[],
  now: number = Date.now(),
): Promise<RetentionPlan> {
  // One listing of runs/ gives the run ids and the expiry records.
  const { runIds: ids, expired } = await runsAndExpiredKeys(store);
  const inputs = new Set<string>();
  const candidates: Candidate[] = [];
  await mapLimit(ids, RUN_CONCURRENCY, async (runId) => {
    const [artifacts, lineage] = await Promise.all([
      store.readArtifacts(runId),
      store.readLineage(runId),
    ]);
    for (const row of lineage) {
      const md5 = row.summary?.md5;
      if (row.isInput && typeof md5 === 'string') inputs.add(md5);
    }
    for (const a of Object.values(artifacts)) {
      if (!a.cached || expired.has(expiredKey(runId, a.path, a.md5))) continue;
      candidates.push(candidateOf(runId, a));
    }
  });
  const reasons = decide(candidates, policies, now);
  const protections = await protectedMd5s(store, inputs);
  const plan: RetentionPlan = { expiring: [], protected: [] };
  for (const c of candidates) {
    const reason = reasons.get(c);
    if (reason === undefined) continue;
    const { labels: _, ttl: __, ...artifact } = c;
    const by = protections.get(c.md5);
    if (by) plan.protected.push({ ...artifact, reason, by });
    else plan.expiring.push({ ...artifact, reason });
  }
  const order = (a: PlannedArtifact, b: PlannedArtifact) =>
    a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  plan.expiring.sort(order);
  plan.protected.sort(order);
  return plan;
}

function candidateOf(runId: string, a: ArtifactRecord): Candidate {
  return {
    runId,
    path: a.path,
    name: a.name,
    type: a.type ?? null,
    md5: a.md5,
    size: a.size,
    loggedAt: a.loggedAt,
    labels: a.labels ?? [],
    ...(a.ttl !== undefined ? { ttl: a.ttl } : {}),
  };
}

/** Why each candidate that goes would go (protections aside). */
function decide(
  candidates: readonly Candidate[],
  policies: readonly RetentionPolicy[],
  now: number,
): Map<Candidate, string> {
  const reasons = new Map<Candidate, string>();
  const age = (c: Candidate) => now - Date.parse(c.loggedAt);
  for (const c of candidates) {
    if (c.ttl !== undefined && age(c) > parseDuration(c.ttl, 'ttl')) reasons.set(c, `ttl ${c.ttl}`);
  }
  // Each artifact follows the first policy that matches it.
  const byPolicy = new Map<RetentionPolicy, Candidate[]>();
  for (const c of candidates) {
    const policy = policies.find((p) => matches(p, c));
    if (policy) groupInto(byPolicy, policy, c);
  }
  for (const [policy, matched] of byPolicy) {
    const byName = new Map<string, Candidate[]>();
    for (const c of matched) groupInto(byName, c.name, c);
    for (const versions of byName.values()) {
      // Newest first: logging time, then run id and path, as versions are numbered.
      versions.sort(
        (a, b) =>
          Date.parse(b.loggedAt) - Date.parse(a.loggedAt) ||
          (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : a.path < b.path ? 1 : -1),
      );
      versions.forEach((c, i) => {
        if (policy.keep && i < policy.keep.last) return;
        if (policy.ttl !== undefined && age(c) <= policy.ttl) return;
        if (!reasons.has(c)) reasons.set(c, `policy ${policy.text}`);
      });
    }
  }
  return reasons;
}

function matches(policy: RetentionPolicy, c: Candidate): boolean {
  const { type, name, label } = policy.match;
  return (
    (type === undefined || c.type === type) &&
    (name === undefined || c.name === name) &&
    (label === undefined || c.labels.includes(label))
  );
}

/** md5 → what protects it: an alias, a registered version, or a run's input. */
async function protectedMd5s(
  store: Store,
  inputs: ReadonlySet<string>,
): Promise<Map<string, ProtectedArtifact['by']>> {
  const by = new Map<string, ProtectedArtifact['by']>();
  for (const md5 of inputs) by.set(md5, 'input');
  for (const v of await new ModelRegistry(store).searchVersions()) {
    by.set(v.md5, v.aliases.length > 0 ? 'alias' : 'registered');
  }
  for (const a of await listArtifactAliases(store)) by.set(a.md5, 'alias');
  return by;
}
