/**
 * Fills a DVC template's anchors the way dvc-render's `VegaRenderer.get_filled_template` does for
 * one data source: the optional anchors first (colour per revision, zoom and pan, 300×300,
 * group-by, tooltip; the rest become `{}`), then title, x, y, labels and data.
 */
import { anchor, type TemplateName, templateContent } from './templates.js';

/** dvc-render's palette for the `color` anchor. */
const COLORS = ['#945dd6', '#13adc7', '#f46837', '#48bb78', '#4299e1', '#ed8936', '#f56565'];

const OPTIONAL_ANCHORS = [
  'color',
  'column',
  'group_by_x',
  'group_by_y',
  'group_by',
  'pivot_field',
  'plot_height',
  'plot_width',
  'row',
  'shape',
  'stroke_dash',
  'tooltip',
  'zoom_and_pan',
];

/** The revision every row belongs to, as in DVCLive's report. */
export const REV = 'workspace';

export interface FillProperties {
  template: TemplateName;
  x: string;
  y: string;
  title: string;
  xLabel: string;
  yLabel: string;
  data: Array<Record<string, unknown>>;
}

export function fillTemplate(p: FillProperties): Record<string, unknown> {
  let content: unknown = templateContent(p.template);
  const fill = (name: string, value: unknown) => {
    content = replaceValue(content, anchor(name), value);
  };
  const has = (name: string) => contains(content, anchor(name));
  const revs = [...new Set(p.data.map((row) => String(row.rev ?? REV)))];
  const optional: Record<string, unknown> = {
    color: {
      field: 'rev',
      scale: { domain: revs, range: revs.map((_, i) => COLORS[i % COLORS.length]) },
    },
    zoom_and_pan: { name: 'grid', select: 'interval', bind: 'scales' },
    plot_height: 300,
    plot_width: 300,
    group_by: ['rev'],
    group_by_x: ['rev', p.x],
    group_by_y: ['rev', p.y],
    pivot_field: 'datum.rev',
    tooltip: [{ field: 'rev' }, { field: p.x }, { field: p.y }],
  };
  for (const name of OPTIONAL_ANCHORS) if (has(name)) fill(name, optional[name] ?? {});
  fill('title', p.title);
  fill('x', escapeField(p.x));
  fill('y', escapeField(p.y));
  fill('x_label', p.xLabel);
  fill('y_label', p.yLabel);
  fill('data', p.data);
  return content as Record<string, unknown>;
}

/** Vega reads `.`, `[` and `]` in a field name as a path: DVC escapes them. */
function escapeField(field: string): string {
  return field.replace(/[.[\]]/g, (c) => `\\${c}`);
}

/**
 * dvc-render's `dict_replace_value`: a string equal to the anchor becomes the value; inside
 * object values, a string containing it gets it replaced when the value is a string.
 */
function replaceValue(node: unknown, name: string, value: unknown, inObject = false): unknown {
  if (Array.isArray(node)) return node.map((e) => replaceValue(e, name, value, false));
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = replaceValue(v, name, value, true);
    return out;
  }
  if (typeof node === 'string') {
    if (node === name) return value;
    if (inObject && typeof value === 'string' && node.includes(name)) {
      return node.replaceAll(name, value);
    }
  }
  return node;
}

function contains(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((e) => contains(e, name));
  if (typeof node === 'object' && node !== null) {
    return Object.values(node).some((v) => contains(v, name));
  }
  return node === name;
}
