// The runs the search benches generate: seeded, so trove, MLflow and every store get the same
// ones (10 params, 10 metrics × 100 steps; `acc` rises to a ceiling between 0.5 and 1).

/** A seeded generator (mulberry32). */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPTIMIZERS = ['adam', 'sgd', 'adamw', 'rmsprop'];

/** Run `i`: its name, params and metric series. */
export function spec(i) {
  const r = random(i + 1);
  const params = {
    lr: Number((10 ** (-4 + 3 * r())).toPrecision(3)),
    optimizer: OPTIMIZERS[i % 4],
  };
  for (let p = 0; p < 8; p++) params[`p${p}`] = Math.floor(r() * 100);
  const metrics = {};
  const ceiling = 0.5 + 0.5 * r();
  for (let m = 0; m < 10; m++) {
    const name = m === 0 ? 'acc' : `m${m}`;
    metrics[name] = Array.from({ length: 100 }, (_, s) =>
      Number((ceiling * (1 - Math.exp(-s / 20)) + 0.01 * r()).toFixed(5)),
    );
  }
  return { name: `run-${i}`, params, metrics };
}
