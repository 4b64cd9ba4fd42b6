/**
 * The same Vega-Lite specs as DVC: every template filled by real dvc-render (Python, the library
 * `dvc plots` and DVCLive's report use) equals `plotSpec`'s, for the same rows and properties.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { plotSpec, type ReportPlot, TEMPLATE_NAMES } from '../src/index.js';

const FILL = `
import json, sys
from dvc_render.vega import VegaRenderer
out = []
for c in json.load(sys.stdin):
    props = {k: v for k, v in c["props"].items() if v is not None}
    out.append(VegaRenderer(c["data"], c["name"], **props).get_filled_template())
json.dump(out, sys.stdout)
`;

function dvcRender(plots: ReportPlot[]): unknown[] {
  const python = inject('python');
  if (!python) throw new Error(`dvc-render is required: ${inject('pythonProblem')}`);
  const cases = plots.map((p) => ({
    name: p.id,
    // DVCLive's report adds the revision to every row before rendering
    data: p.data.map((row) => ({ ...row, rev: 'workspace' })),
    props: {
      template: p.template,
      x: p.x,
      y: p.y,
      title: p.title,
      x_label: p.xLabel,
      y_label: p.yLabel,
    },
  }));
  const r = spawnSync(python, ['-c', FILL], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dvc-render failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown[];
}

describe("DVC's templates", () => {
  it('plotSpec fills every template exactly as dvc-render does', () => {
    const series = [0.5, 0.25, 0.125].map((v, step) => ({ step, 'train.loss': v }));
    const labels = ['0', '1', '1'].map((a, i) => ({ actual: a, predicted: String(i % 2) }));
    const bars = [
      { name: 'a', score: 2 },
      { name: 'b', score: 1 },
    ];
    const plots: ReportPlot[] = TEMPLATE_NAMES.map((template) => {
      if (template.startsWith('confusion')) {
        return {
          id: template,
          template,
          x: 'actual',
          y: 'predicted',
          title: 'CM',
          xLabel: 'True Label',
          yLabel: 'Predicted Label',
          data: labels,
        };
      }
      if (template.startsWith('bar')) {
        return { id: template, template, x: 'score', y: 'name', data: bars };
      }
      // a dotted field name: DVC escapes it in the spec
      return { id: template, template, x: 'step', y: 'train.loss', title: 'loss', data: series };
    });
    const expected = dvcRender(plots);
    plots.forEach((plot, i) => {
      expect(plotSpec(plot), plot.template).toEqual(expected[i]);
    });
    expect(JSON.stringify(plotSpec(plots[0] as ReportPlot))).toContain('"train\\\\.loss"');
  });
});
