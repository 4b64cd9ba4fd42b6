/**
 * Runs one call sequence with real dvclive (Python) and with trove's `Live`, then snapshots
 * both trees for a byte comparison. Ops use DVCLive's method and keyword names; `float(x)`
 * marks Python floats; the TypeScript side maps each op onto `Live`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isPyInt, PyFloat, pyFloatRepr } from '@trove/core/dialect';
import { PNG } from 'pngjs';
import { Live } from '../src/index.js';
import type { LiveOptions } from '../src/options.js';
import { PYTHON } from './venv.js';

export type Op = [string, ...unknown[]];
export interface Session {
  cwd: string;
  ops: Op[];
}

const DRIVER = new URL('./dvclive_driver.py', import.meta.url).pathname;

const PY_ENV = {
  ...process.env,
  DVC_NO_ANALYTICS: '1',
  DVCLIVE_LOGLEVEL: 'ERROR',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

function encode(value: unknown): unknown {
  if (value instanceof PyFloat) return { $f: pyFloatRepr(value.value) };
  if (typeof value === 'number' && !isPyInt(value)) return { $f: pyFloatRepr(value) };
  if (Array.isArray(value)) return value.map(encode);
  if (value instanceof Uint8Array) throw new Error('bytes are not sent to Python');
  if (value !== null && typeof value === 'object') {
    if ('width' in value && 'data' in value) {
      const v = value as { width: number; height: number; data: Uint8Array };
      return { $rgba: [v.width, v.height, [...v.data]] };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  }
  return value;
}

/** Runs every session with real dvclive, in one Python process. */
export function runPython(sessions: Session[]): void {
  const input = JSON.stringify(sessions.map((s) => ({ cwd: s.cwd, ops: s.ops.map(encode) })));
  execFileSync(PYTHON, [DRIVER], { input, env: PY_ENV, stdio: ['pipe', 'inherit', 'inherit'] });
}

export function python(args: string[], cwd: string): string {
  return execFileSync(PYTHON, args, { cwd, env: PY_ENV, encoding: 'utf8' });
}

/** A temp folder that is a Git + DVC repository (with the venv's dvc). */
export function initDvcRepo(cwd: string): void {
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd });
  python(['-m', 'dvc', 'init', '-q'], cwd);
  execFileSync('git', ['add', '-A'], { cwd });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd, env: PY_ENV });
}

const kw = (o: unknown): Record<string, unknown> => (o ?? {}) as Record<string, unknown>;
const opt = <T>(key: string, v: T | undefined) => (v === undefined ? {} : { [key]: v });

/** Runs one session with trove's Live. */
export async function runTs(session: Session, extra: Partial<LiveOptions> = {}): Promise<Live> {
  let live: Live | undefined;
  const L = (): Live => live as Live;
  for (const [name, ...args] of session.ops) {
    switch (name) {
      case 'init': {
        const k = kw(args[0]);
        live = await Live.create({
          cwd: session.cwd,
          saveDvcExp: (k.save_dvc_exp as boolean) ?? false,
          ...opt('dir', k.dir),
          ...opt('resume', k.resume),
          ...opt('report', k.report),
          ...opt('dvcyaml', k.dvcyaml),
          ...opt('cacheImages', k.cache_images),
          ...opt('expName', k.exp_name),
          ...extra,
        } as LiveOptions);
        break;
      }
      case 'log_param':
        L().logParam(args[0] as string, args[1]);
        break;
      case 'log_params':
        L().logParams(args[0] as Record<string, unknown>);
        break;
      case 'log_metric': {
        const k = kw(args[2]);
        L().logMetric(args[0] as string, args[1] as number, {
          ...opt('timestamp', k.timestamp as boolean),
          ...opt('plot', k.plot as boolean),
        });
        break;
      }
      case 'next_step':
        await L().nextStep();
        break;
      case 'set_step':
        L().step = args[0] as number;
        break;
      case 'summary_set':
        L().summary[args[0] as string] = args[1];
        break;
      case 'make_summary':
        L().makeSummary();
        break;
      case 'make_dvcyaml':
        L().makeDvcyaml();
        break;
      case 'end':
        await L().end();
        break;
      case 'log_plot': {
        const k = kw(args[2]);
        L().logPlot(args[0] as string, args[1] as Array<Record<string, unknown>>, {
          x: k.x as string,
          y: k.y as string,
          ...opt('template', k.template),
          ...opt('title', k.title),
          ...opt('xLabel', k.x_label),
          ...opt('yLabel', k.y_label),
        });
        break;
      }
      case 'log_sklearn_plot': {
        const k = kw(args[3]);
        L().logSklearnPlot(args[0] as 'roc', args[1] as number[], args[2] as number[], {
          ...opt('name', k.name),
          ...opt('title', k.title),
          ...opt('xLabel', k.x_label),
          ...opt('yLabel', k.y_label),
          ...opt('normalized', k.normalized),
          ...opt('dropIntermediate', k.drop_intermediate),
          ...opt('posLabel', k.pos_label),
          ...opt('nBins', k.n_bins),
          ...opt('strategy', k.strategy),
        });
        break;
      }
      case 'log_image':
        await L().logImage(args[0] as string, args[1] as never);
        break;
      case 'log_artifact': {
        const k = kw(args[1]);
        await L().logArtifact(args[0] as string, {
          ...opt('type', k.type),
          ...opt('name', k.name),
          ...opt('desc', k.desc),
          ...opt('labels', k.labels),
          ...opt('meta', k.meta),
          ...opt('copy', k.copy),
          ...opt('cache', k.cache),
        });
        break;
      }
      case 'write_file': {
        const file = join(session.cwd, args[0] as string);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, args[1] as string);
        break;
      }
      default:
        throw new Error(`unknown op ${name}`);
    }
  }
  return live as Live;
}

const SKIP = new Set(['.trove', '.git', '.dvc', '.dvcignore']);

/**
 * Every file under `root` (but trove's and DVC's own folders), as text; the `timestamp`
 * column of metric histories normalised; PNG images as their decoded pixels.
 */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (dir === root && SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(root, p)] = fileText(p);
    }
  };
  if (existsSync(root)) walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function fileText(p: string): string {
  if (p.endsWith('.png')) {
    const png = PNG.sync.read(readFileSync(p));
    return `png ${png.width}x${png.height} ${Buffer.from(png.data).toString('base64')}`;
  }
  const text = readFileSync(p, 'utf8');
  if (p.endsWith('.tsv') && text.startsWith('timestamp\t')) {
    return text.replace(/^\d+\t/gm, 'T\t');
  }
  return text;
}
