import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dvcFileText } from '../src/dvc/pointer.js';
import { buildDirManifest, EMPTY_DIR_MD5 } from '../src/hash/dir-manifest.js';
import { HashState } from '../src/hash/hash-state.js';
import { md5File } from '../src/hash/md5-file.js';
import { ingestPath } from '../src/store/ingest.js';
import { memoryStore, tempDir, vectors } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: one vector of the untyped fixture file
type Vector = Record<string, any>;

function writeTree(root: string, files: Array<{ relpath: string; content_hex: string }>): void {
  mkdirSync(root, { recursive: true });
  for (const f of files) {
    const path = join(root, f.relpath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(f.content_hex, 'hex'));
  }
}

describe('DVC hashing vectors', () => {
  it.each(
    vectors.file_md5 as Array<{
      label: string;
      content_hex: string;
      md5: string;
      cache_relpath_v3: string;
    }>,
  )('file md5: $label', async (v) => {
    const dir = tempDir();
    const path = join(dir, 'f');
    writeFileSync(path, Buffer.from(v.content_hex, 'hex'));
    expect((await md5File(path)).md5).toBe(v.md5);
    const store = memoryStore();
    expect(store.objects.key(v.md5)).toBe(v.cache_relpath_v3.replace(/^\.dvc\/cache\//, ''));
  });

  it.each(vectors.dir_synthetic as Array<Vector>)('directory: $label', async (v) => {
    const root = join(tempDir(), 'data');
    writeTree(root, v.files);
    mkdirSync(join(root, 'empty-subdir'), { recursive: true }); // contributes nothing
    const store = memoryStore();
    const got = await ingestPath(root, { store: store.objects, state: HashState.load(undefined) });
    expect(got.md5).toBe(v.dir_md5);
    expect(got.size).toBe(v.size);
    expect(got.nfiles).toBe(v.nfiles);
    expect(got.manifest?.bytes.toString('utf8')).toBe(v.dir_manifest_bytes_utf8);
    expect(dvcFileText('data', got)).toBe(v.dvc_file_text);
    // The manifest object is stored under its name, with exactly those bytes.
    const key = v.cache_relpath_of_manifest.replace(/^\.dvc\/cache\//, '');
    const { body } = await store.meta.read(key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(v.dir_manifest_bytes_utf8);
    for (const f of v.files) expect(await store.objects.has(f.md5)).toBe(true);
  });

  it.each(vectors.dir_oracles_from_upstream_tests as Array<Vector>)(
    'upstream oracle: $source',
    async (v) => {
      const root = join(tempDir(), 'dir');
      writeTree(
        root,
        Object.entries(v.tree as Record<string, string>).map(([relpath, text]) => ({
          relpath,
          content_hex: Buffer.from(text).toString('hex'),
        })),
      );
      const got = await ingestPath(root, { state: HashState.load(undefined) });
      expect(got.md5).toBe(v.expected);
      expect(got.size).toBe(v.size);
      expect(got.nfiles).toBe(v.nfiles);
    },
  );

  it('reproduces the dvc-data .dir bytes fixture', () => {
    const f = vectors.dir_bytes_fixture;
    const manifest = buildDirManifest(
      Object.entries(f.contents as Record<string, string>).map(([relpath, text]) => ({
        relpath,
        md5: createHash('md5').update(text).digest('hex'),
      })),
      8,
    );
    expect(manifest.bytes.toString('utf8')).toBe(f.bytes);
    expect(manifest.md5).toBe(f.expected_oid);
  });

  it('hashes an empty directory as DVC does', async () => {
    const root = join(tempDir(), 'empty');
    mkdirSync(root);
    expect((await ingestPath(root, { state: HashState.load(undefined) })).md5).toBe(EMPTY_DIR_MD5);
  });

  it('writes the dvc_files pointer vectors byte for byte', () => {
    const [single, exec, , quoted, long] = vectors.dvc_files as Array<{ text: string }>;
    expect(dvcFileText('a.txt', { md5: '0cc175b9c0f1b6a831c399e269772661', size: 1 })).toBe(
      single?.text,
    );
    expect(
      dvcFileText('foo', { md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3, isexec: true }),
    ).toBe(exec?.text);
    expect(dvcFileText('123', { md5: '0cc175b9c0f1b6a831c399e269772661', size: 1 })).toBe(
      quoted?.text,
    );
    const longName = `${'d/'.repeat(40)}file.bin`;
    expect(dvcFileText(longName, { md5: '0cc175b9c0f1b6a831c399e269772661', size: 1 })).toBe(
      long?.text,
    );
  });

  it('marks executable files with isexec', async () => {
    const dir = tempDir();
    const path = join(dir, 'foo');
    writeFileSync(path, 'foo');
    chmodSync(path, 0o755);
    const got = await ingestPath(path, { state: HashState.load(undefined) });
    expect(dvcFileText('foo', got)).toBe((vectors.dvc_files as Array<{ text: string }>)[1]?.text);
  });
});
