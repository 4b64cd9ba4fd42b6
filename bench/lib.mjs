// Shared bench helpers: round-robin timing of whole commands, peak RSS, and RESULTS.md sections.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { register } from 'node:module';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const DATA = join(REPO, 'bench/data');
export const TROVE = `${REPO}packages/cli/dist/bin.js`;

/**
 * Runs `cmd` through /usr/bin/time, returning wall seconds, peak RSS (MiB) and the CPU seconds
 * (user + system) the command used.
 */
export function timed(cmd, { cwd, env } = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', 'bash', '-c', cmd], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m)
    throw new Error(`failed (${r.status}): ${cmd}\n${r.stderr.slice(-2000)}`);
  return {
    seconds: Number(m[1]),
    rssMiB: Number(m[2]) / 1024,
    cpuSeconds: Number(m[3]) + Number(m[4]),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** The value after `name` on the bench's command line, or `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/**
 * test-utils' `startFaultProxy` (a counting proxy when given no faults). test-utils is TypeScript
 * whose imports name `.js` files: bench/ts-resolve.mjs maps them.
 */
export async function importFaultProxy() {
  register('./ts-resolve.mjs', import.meta.url);
  return (await import(join(REPO, 'packages/test-utils/src/fault-proxy.ts'))).startFaultProxy;
}

/** `timed`, without blocking this process (a counting proxy may run in it). */
export function timedAsync(cmd, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', 'bash', '-c', cmd], {
      cwd,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('close', (code) => {
      const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !m) reject(new Error(`failed (${code}): ${cmd}\n${stderr.slice(-2000)}`));
      else
        resolve({
          seconds: Number(m[1]),
          rssMiB: Number(m[2]) / 1024,
          cpuSeconds: Number(m[3]) + Number(m[4]),
          stdout,
        });
    });
  });
}

/** CPU seconds process `pid` has used so far (utime + stime from /proc, 1/100 s ticks). */
export function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A more precise wall clock than /usr/bin/time's 10 ms, for short commands. */
export function wall(cmd, { cwd, env } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', cmd], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0)
    throw new Error(`failed (${r.status}): ${cmd}\n${String(r.stderr).slice(-2000)}`);
  return { seconds, stdout: r.stdout };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Round-robin: every case once per round, in the same order, so drift on a noisy host hits
 * them all alike. Each case: { name, prepare?() → ctx (may be async, untimed), run(ctx) →
 * {seconds, rssMiB?} }.
 */
export async function roundRobin(cases, rounds) {
  const results = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const ctx = await c.prepare?.();
      // Start every command with no dirty pages left by the one before: writeback of an earlier
      // copy would otherwise be charged to whichever command runs next.
      spawnSync('sync');
      const out = c.run(ctx);
      results[c.name].push(out);
      process.stderr.write(
        `  round ${r + 1} ${c.name}: ${out.seconds.toFixed(3)} s${out.rssMiB ? `, ${out.rssMiB.toFixed(0)} MiB` : ''}\n`,
      );
    }
  }
  return Object.fromEntries(
    Object.entries(results).map(([name, outs]) => [
      name,
      {
        seconds: median(outs.map((o) => o.seconds)),
        min: Math.min(...outs.map((o) => o.seconds)),
        max: Math.max(...outs.map((o) => o.seconds)),
        rssMiB: outs[0]?.rssMiB === undefined ? undefined : Math.max(...outs.map((o) => o.rssMiB)),
        // Any other number a case reports (CPU seconds, server load…): the median.
        ...Object.fromEntries(
          Object.keys(outs[0] ?? {})
            .filter((k) => !['seconds', 'rssMiB'].includes(k) && typeof outs[0][k] === 'number')
            .map((k) => [k, median(outs.map((o) => o[k]))]),
        ),
      },
    ]),
  );
}

/** `bench/data/<name>`: `bytes` of random data, made once and kept between runs. */
export function randomFile(name, bytes) {
  const path = join(DATA, name);
  if (!existsSync(path)) {
    mkdirSync(DATA, { recursive: true });
    process.stderr.write(`making ${name}: ${bytes} random bytes\n`);
    spawnSync('bash', ['-c', `head -c ${bytes} /dev/urandom > ${path}`], { stdio: 'inherit' });
  }
  return path;
}

/** `bench/data/<name>`: `folders` × `files` random files of `size` bytes, made once. */
export function randomTree(name, { folders, files, size }) {
  const root = join(DATA, name);
  if (!existsSync(join(root, '.done'))) {
    process.stderr.write(`making ${name}: ${folders * files} files of ${size} bytes\n`);
    rmSync(root, { recursive: true, force: true });
    for (let d = 0; d < folders; d++) {
      const dir = join(root, `d${String(d).padStart(3, '0')}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < files; f++) writeFileSync(join(dir, `f${f}.bin`), randomBytes(size));
    }
    writeFileSync(join(root, '.done'), '');
  }
  return root;
}

/** Replaces (or appends) the section between `<!-- name -->` markers in bench/RESULTS.md. */
export function writeSection(name, markdown) {
  const file = `${REPO}bench/RESULTS.md`;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmark results\n\nWritten by the scripts in `bench/`; each section by the script it names.\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i
      ? text.slice(0, i) + block + text.slice(j + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

/** The load averages (1, 5, 15 min), two decimals each, joined by `sep`. */
export function loadAverages(sep = ' ') {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(sep);
}

/** A run's record on stdout as JSON, without the commands' own output (`timed`'s stdout/stderr). */
export function printRecord(record) {
  process.stdout.write(
    `${JSON.stringify(record, (k, v) => (k === 'stdout' || k === 'stderr' ? undefined : v), 2)}\n`,
  );
}

export function machine() {
  const cpu =
    readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s*(\d+)/)?.[1];
  const dvc = spawnSync('dvc', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return `${cpu}, ${(Number(mem) / 2 ** 20).toFixed(0)} GiB RAM, Node ${process.version}, DVC ${dvc}, ${new Date().toISOString().slice(0, 10)}`;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * moto on 127.0.0.1 at a free port. Its request log goes to `<workDir>/moto.log`: a pipe would
 * fill up while the bench sits in spawnSync, and moto would block on its next log line.
 */
export async function startMoto(workDir) {
  const port = await freePort();
  mkdirSync(workDir, { recursive: true });
  const log = openSync(join(workDir, 'moto.log'), 'w');
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('moto_server exited');
    if (
      await fetch(`${url}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('moto_server did not start');
}

/**
 * The search timings both search benches report: `cliCommand` in a new process with an empty
 * `TROVE_CACHE_DIR` and with a warm one (3 rounds each), and `searchRuns()` in this process,
 * repeated (5 rounds after a first). Medians in seconds, and how many runs the search found.
 */
export async function searchTimings({ core, store, cliCommand, cwd, filter }) {
  const env = { TROVE_CACHE_DIR: process.env.TROVE_CACHE_DIR };
  const cold = [];
  const warm = [];
  for (let round = 0; round < 3; round++) {
    rmSync(process.env.TROVE_CACHE_DIR, { recursive: true, force: true });
    cold.push(wall(cliCommand, { cwd, env }).seconds);
    warm.push(wall(cliCommand, { cwd, env }).seconds);
  }
  const repeated = [];
  let found = 0;
  for (let round = 0; round < 6; round++) {
    const t0 = performance.now();
    found = (await core.searchRuns(store, { filter, orderBy: ['metrics.acc DESC'], limit: 20 }))
      .length;
    if (round > 0) repeated.push((performance.now() - t0) / 1000);
  }
  return { cold: median(cold), warm: median(warm), repeated: median(repeated), found };
}
