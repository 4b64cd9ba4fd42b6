import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { S3Backend } from '@trove/backend-s3';
import { TROVE_BIN, trove } from './helpers.js';

/** `trove …` in its own process, not waited for (to run several at once, or to kill it). */
export function spawnTrove(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [TROVE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
    (resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** A store seen from outside trove: every key with its size, raw reads, open uploads. */
export interface StoreView {
  /** Every key (local: every file, trove's temp files included), relative to the store root. */
  keys(): Promise<Map<string, number>>;
  read(key: string): Promise<Buffer>;
  /** Multipart uploads left open (S3). */
  uploads(): Promise<string[]>;
}

/** The embedded store's folder, file by file (the stat cache under `tmp/` is not the store's). */
export function localView(root: string): StoreView {
  return {
    async keys() {
      const out = new Map<string, number>();
      const visit = (dir: string) => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, e.name);
          if (e.isDirectory()) visit(path);
          else out.set(relative(root, path), statSync(path).size);
        }
      };
      visit(root);
      for (const k of [...out.keys()])
        if (k.startsWith('tmp/') || k === '.gitignore') out.delete(k);
      return out;
    },
    async read(key) {
      return readFileSync(join(root, key));
    },
    async uploads() {
      return [];
    },
  };
}

/** A bucket on moto under `prefix`. */
export function s3View(
  endpoint: string,
  bucket: string,
  prefix: string,
): StoreView & { close(): void } {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const backend = new S3Backend({ bucket, endpoint, clientConfig: { credentials } });
  const strip = (k: string) => k.slice(prefix.length + 1);
  return {
    async keys() {
      const out = new Map<string, number>();
      for await (const e of backend.list(`${prefix}/`)) out.set(strip(e.key), e.size);
      return out;
    },
    async read(key) {
      const chunks: Buffer[] = [];
      for await (const c of (await backend.read(`${prefix}/${key}`)).body) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    async uploads() {
      // ListMultipartUploads straight from moto (path-style, unsigned), not through trove.
      const xml = await (await fetch(`${endpoint}/${bucket}?uploads`)).text();
      return [...xml.matchAll(/<Upload>(.*?)<\/Upload>/gs)].map((m) => {
        const field = (name: string) =>
          new RegExp(`<${name}>([^<]*)</${name}>`).exec(m[1] ?? '')?.[1];
        return `${field('Key')}:${field('UploadId')}`;
      });
    },
    close() {
      void backend.close();
    },
  };
}

const MD5_RE = /[0-9a-f]{32}(?:\.dir)?/g;

function objectKey(md5: string): string {
  return `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}

function pointerFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['.trove', '.git', '.dvc', 'node_modules'].includes(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...pointerFiles(path));
    else if (e.name.endsWith('.dvc')) out.push(path);
  }
  return out;
}

export interface Audit {
  /** Objects `trove verify` found missing or damaged. */
  corrupt: number;
  /** `runs/*\/run.json` that do not parse. */
  tornRecords: number;
  /** `.dvc` pointers in the workspace whose object is not in the store. */
  danglingPointers: number;
  /** Keys (and open uploads) nothing refers to: staging, quarantine, temp files, orphan objects. */
  leftovers: string[];
  leftoverBytes: number;
}

/**
 * What a hostile crash could have left, judged without trove's own gc: `trove verify`, every run
 * record parsed, every pointer resolved, and every stored key accounted for by a run (through
 * `trove ls`), a manifest a run refers to, or a workspace pointer.
 */
export async function audit(cwd: string, env: NodeJS.ProcessEnv, view: StoreView): Promise<Audit> {
  const verify = trove(['verify', '--json'], { cwd, env });
  const verified = JSON.parse(verify.stdout) as { problems: unknown[] };
  const keys = await view.keys();
  let tornRecords = 0;
  for (const key of keys.keys()) {
    if (!/^runs\/[^/]+\/run\.json$/.test(key)) continue;
    try {
      JSON.parse((await view.read(key)).toString('utf8'));
    } catch {
      tornRecords++;
    }
  }
  const pointed = pointerFiles(cwd).flatMap((f) => readFileSync(f, 'utf8').match(MD5_RE) ?? []);
  const danglingPointers = pointed.filter((m) => !keys.has(objectKey(m))).length;
  const listed = trove(['ls', '--json'], { cwd, env });
  const rows = listed.code === 0 ? (JSON.parse(listed.stdout) as Array<{ md5: string }>) : [];
  const referenced = new Set([...rows.map((r) => r.md5), ...pointed]);
  for (const md5 of [...referenced]) {
    if (!md5.endsWith('.dir') || !keys.has(objectKey(md5))) continue;
    const entries = JSON.parse((await view.read(objectKey(md5))).toString('utf8')) as Array<{
      md5: string;
    }>;
    for (const e of entries) referenced.add(e.md5);
  }
  const accounted = new Set([...referenced].map(objectKey));
  // `gc/` is gc's log (which gcs ran), not a leftover. `tables/` is derived from `runs/`: a data
  // file a killed commit wrote is named by no snapshot, so no reader sees it, and gc vacuums it
  // after an hour whatever the grace (core's tables test shows that); `tablesReadable` checks
  // that what the tables say is consistent.
  const leftovers = [...keys.keys()].filter(
    (k) =>
      !k.startsWith('runs/') &&
      !k.startsWith('gc/') &&
      !k.startsWith('tables/') &&
      !accounted.has(k),
  );
  leftovers.push(...(await view.uploads()).map((u) => `upload ${u}`));
  return {
    corrupt: verify.code === 0 ? 0 : Math.max(1, verified.problems?.length ?? 0),
    tornRecords,
    danglingPointers,
    leftovers,
    leftoverBytes: leftovers.reduce((n, k) => n + (keys.get(k) ?? 0), 0),
  };
}
