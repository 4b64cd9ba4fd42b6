import { describe, expect, it } from 'vitest';
import { mergeRegistryDoc } from './merge-doc.js';
import type { RegistryDoc, VersionDoc } from './registry-doc.js';

function version(n: number, id: string): VersionDoc {
  return {
    version: n,
    changeId: id,
    source: `runs:/r/${id}`,
    md5: id.padEnd(32, '0'),
    isdir: false,
    creationTimestamp: n,
    lastUpdatedTimestamp: n,
    status: 'READY',
    tags: {},
  };
}

function doc(versions: VersionDoc[], aliases: Record<string, number> = {}): RegistryDoc {
  return {
    format: 1,
    name: 'm',
    creationTimestamp: 1,
    lastUpdatedTimestamp: 1,
    tags: {},
    aliases,
    nextVersion: Math.max(0, ...versions.map((v) => v.version)) + 1,
    versions,
  };
}

describe('the registry merge rule', () => {
  it('a model the target lacks arrives as it is', () => {
    const source = doc([version(1, 'a'), version(2, 'b')], { prod: 2 });
    const merged = mergeRegistryDoc(undefined, source, 'S');
    expect(merged.versions.map((v) => [v.version, v.changeId, v.origin])).toEqual([
      [1, 'a', undefined],
      [2, 'b', undefined],
    ]);
    expect(merged.aliases).toEqual({ prod: 2 });
    expect(merged.nextVersion).toBe(3);
    expect(merged.syncBase).toEqual({ S: { prod: 2 } });
  });

  it('keeps numbers the target never used, appends collisions with their origin, never twice', () => {
    const target = doc([version(1, 'x')]);
    const source = doc([version(1, 'a'), version(2, 'b'), version(3, 'x')]);
    const merged = mergeRegistryDoc(target, source, 'S');
    expect(merged.versions.map((v) => [v.version, v.changeId, v.origin])).toEqual([
      [1, 'x', undefined],
      [2, 'b', undefined],
      [3, 'a', { store: 'S', version: 1 }],
    ]);
    expect(merged.nextVersion).toBe(4);
    expect(mergeRegistryDoc(merged, source, 'S')).toEqual(merged);
  });

  it('a number deleted on the target is not reused: the version is appended', () => {
    const target = { ...doc([version(1, 'x')]), nextVersion: 3 };
    const merged = mergeRegistryDoc(target, doc([version(2, 'b')]), 'S');
    expect(merged.versions.map((v) => [v.version, v.changeId])).toEqual([
      [1, 'x'],
      [3, 'b'],
    ]);
  });

  it('an alias follows the source unless the target moved or removed it since', () => {
    const source = doc([version(1, 'a'), version(2, 'b')], { prod: 1, dev: 1 });
    const first = mergeRegistryDoc(
      doc([version(1, 'a'), version(2, 'b')], { dev: 2 }),
      source,
      'S',
    );
    // dev is the target's own: it stays; prod arrives.
    expect(first.aliases).toEqual({ dev: 2, prod: 1 });
    const moved = mergeRegistryDoc(first, { ...source, aliases: { prod: 2, dev: 1 } }, 'S');
    expect(moved.aliases).toEqual({ dev: 2, prod: 2 });
    const removed = { ...structuredClone(moved), aliases: { dev: 2 } };
    expect(mergeRegistryDoc(removed, source, 'S').aliases).toEqual({ dev: 2 });
    const own = { ...structuredClone(moved), aliases: { dev: 2, prod: 1 } };
    expect(mergeRegistryDoc(own, { ...source, aliases: { prod: 2 } }, 'S').aliases.prod).toBe(1);
  });
});
