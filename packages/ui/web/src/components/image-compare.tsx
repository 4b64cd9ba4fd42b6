/**
 * Images of one name side by side, one per run, with a step slider over every step any run
 * logged. A run shows its image at the chosen step or, when it has none there, its last before.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CompareSource } from '../compare-source.js';
import type { ImageEntry } from '../types.js';
import { useAsync } from '../use-async.js';
import { Choice } from './choice.js';
import { ErrorView, Loading } from './error-view.js';

interface Props {
  source: CompareSource;
  runs: string[];
  labels: string[];
  names: string[];
}

export function ImageCompare({ source, runs, labels, names }: Props) {
  const [name, setName] = useState(names[0] ?? '');
  const images = useAsync(() => source.images(runs, name), [source, runs.join(','), name]);
  const steps = useMemo(
    () => [...new Set((images.data ?? []).map((i) => i.step ?? 0))].sort((a, b) => a - b),
    [images.data],
  );
  const [at, setAt] = useState(0);
  useEffect(() => setAt(Math.max(0, steps.length - 1)), [steps.length]);
  const step = steps[at];

  const pick = (run: string): ImageEntry | undefined => {
    let best: ImageEntry | undefined;
    for (const img of images.data ?? []) {
      if (img.run !== run || (step !== undefined && (img.step ?? 0) > step)) continue;
      if (!best || (img.step ?? 0) > (best.step ?? 0)) best = img;
    }
    return best;
  };

  return (
    <div class="image-compare">
      <div class="controls">
        <Choice
          label="image"
          ariaLabel="image name"
          value={name}
          options={names}
          onChange={setName}
        />
        {steps.length > 1 && (
          <label>
            step <output data-step={step}>{step}</output>{' '}
            <input
              type="range"
              aria-label="step"
              min={0}
              max={steps.length - 1}
              value={at}
              onInput={(e) => setAt(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        )}
      </div>
      {images.error ? (
        <ErrorView error={images.error} />
      ) : images.loading ? (
        <Loading what="images" />
      ) : (
        <div class="side-by-side">
          {runs.map((run, i) => {
            const img = pick(run);
            return (
              <figure key={run} data-run={run}>
                {img && source.imageSrc(img) ? (
                  <img
                    src={source.imageSrc(img)}
                    alt={`${name} of ${labels[i]} at step ${img.step ?? 0}`}
                  />
                ) : img ? (
                  <div class="no-image muted">left out of the report (too large)</div>
                ) : (
                  <div class="no-image muted">no image</div>
                )}
                <figcaption>
                  {labels[i]}
                  {img ? ` · step ${img.step ?? 0}` : ''}
                </figcaption>
              </figure>
            );
          })}
        </div>
      )}
    </div>
  );
}
