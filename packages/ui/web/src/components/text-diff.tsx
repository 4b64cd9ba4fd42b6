/**
 * A text or JSON artifact of one path, each run's copy diffed line by line against the first
 * run's (the `diff` library). JSON is re-written with sorted keys first, so key order and
 * spacing are not reported as differences.
 */
import { diffLines } from 'diff';
import { useState } from 'preact/hooks';
import type { CompareSource } from '../compare-source.js';
import { useAsync } from '../use-async.js';
import { Choice } from './choice.js';
import { ErrorView, Loading } from './error-view.js';

interface Props {
  source: CompareSource;
  runs: string[];
  labels: string[];
  paths: string[];
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function normalize(path: string, text: string): string {
  if (!/\.json$/i.test(path)) return text;
  try {
    return `${JSON.stringify(sortKeys(JSON.parse(text)), null, 2)}\n`;
  } catch {
    return text;
  }
}

export function TextDiff({ source, runs, labels, paths }: Props) {
  const [path, setPath] = useState(paths[0] ?? '');
  const texts = useAsync(() => source.texts(runs, path), [source, runs.join(','), path]);
  const byRun = new Map((texts.data ?? []).map((t) => [t.run, t]));
  const baseRun = runs.find((r) => byRun.has(r));
  const base = baseRun ? normalize(path, byRun.get(baseRun)?.text ?? '') : '';
  return (
    <div class="text-diff">
      <Choice label="file" ariaLabel="text path" value={path} options={paths} onChange={setPath} />
      {texts.error ? (
        <ErrorView error={texts.error} />
      ) : texts.loading ? (
        <Loading what="texts" />
      ) : (
        runs.map((run, i) => {
          const t = byRun.get(run);
          if (!t)
            return (
              <p key={run} class="muted">
                {labels[i]}: no {path}
              </p>
            );
          const parts = run === baseRun ? [] : diffLines(base, normalize(path, t.text));
          const changed = parts.some((p) => p.added || p.removed);
          return (
            <details key={run} class="diff" data-run={run} open={run !== baseRun && changed}>
              <summary>
                {labels[i]}
                {run === baseRun
                  ? ' (base)'
                  : changed
                    ? ' · differs from the base'
                    : ' · same as the base'}
                {t.truncated ? ' · first MiB only' : ''}
              </summary>
              <pre>
                {run === baseRun
                  ? base
                  : parts.map((p, j) => (
                      <span key={j} class={p.added ? 'ins' : p.removed ? 'del' : 'same'}>
                        {p.value
                          .replace(/\n$/, '')
                          .split('\n')
                          .map((line) => `${p.added ? '+' : p.removed ? '-' : ' '} ${line}\n`)
                          .join('')}
                      </span>
                    ))}
              </pre>
            </details>
          );
        })
      )}
    </div>
  );
}
