/**
 * DVC's plot templates (dvc-render's `vega_templates.py`): the Vega-Lite specs `dvc plots`,
 * DVCLive's report and Studio draw with. They are a format, so their shapes are kept as DVC has
 * them, `<DVC_METRIC_…>` anchors included; `fill.ts` fills the anchors the way dvc-render does.
 */

export const TEMPLATE_NAMES = [
  'linear',
  'simple',
  'scatter',
  'smooth',
  'confusion',
  'confusion_normalized',
  'bar_horizontal',
  'bar_horizontal_sorted',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** `<DVC_METRIC_X>` for `x`: DVC's anchor syntax. */
export function anchor(name: string): string {
  return `<DVC_METRIC_${name.toUpperCase()}>`;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const a = anchor;

/** What every single-view template starts with: schema, data, title, 300×300. */
function head(): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    data: { values: a('data') },
    title: { text: a('title'), anchor: 'middle' },
    width: a('plot_width'),
    height: a('plot_height'),
  };
}

/** A quantitative axis, as most templates have it. */
function quantitative(field: string, label: string, extra: Record<string, unknown> = {}) {
  return { field: a(field), type: 'quantitative', title: a(label), ...extra };
}

function barHorizontal(sorted: boolean): Record<string, unknown> {
  return {
    ...head(),
    mark: { type: 'bar' },
    params: [a('zoom_and_pan')],
    encoding: {
      x: quantitative('x', 'x_label', { scale: { zero: false } }),
      y: {
        field: a('y'),
        type: 'nominal',
        title: a('y_label'),
        ...(sorted ? { sort: '-x' } : {}),
      },
      yOffset: { field: 'rev', sort: [] },
      color: a('color'),
      column: a('column'),
    },
  };
}

function confusion(normalized: boolean): Record<string, unknown> {
  const value = normalized ? 'percent_of_y' : 'xy_count';
  const axis = (field: string, label: string) => ({
    field: a(field),
    type: 'nominal',
    sort: 'ascending',
    title: a(label),
  });
  return {
    $schema: SCHEMA,
    data: { values: a('data') },
    title: { text: a('title'), anchor: 'middle' },
    facet: { column: { field: 'rev', sort: [] }, row: a('row') },
    ...(normalized ? {} : { params: [{ name: 'showValues', bind: { input: 'checkbox' } }] }),
    spec: {
      transform: [
        { aggregate: [{ op: 'count', as: 'xy_count' }], groupby: [a('y'), a('x')] },
        {
          impute: 'xy_count',
          groupby: normalized ? ['rev', a('y')] : a('group_by_y'),
          key: a('x'),
          value: 0,
        },
        { impute: 'xy_count', groupby: a('group_by_x'), key: a('y'), value: 0 },
        normalized
          ? { joinaggregate: [{ op: 'sum', field: 'xy_count', as: 'sum_y' }], groupby: [a('y')] }
          : { joinaggregate: [{ op: 'max', field: 'xy_count', as: 'max_count' }], groupby: [] },
        normalized
          ? { calculate: 'datum.xy_count / datum.sum_y', as: 'percent_of_y' }
          : { calculate: 'datum.xy_count / datum.max_count', as: 'percent_of_max' },
      ],
      encoding: { x: axis('x', 'x_label'), y: axis('y', 'y_label') },
      layer: [
        {
          mark: 'rect',
          width: a('plot_width'),
          height: a('plot_height'),
          encoding: {
            color: {
              field: value,
              type: 'quantitative',
              title: '',
              scale: normalized ? { domain: [0, 1] } : { domainMin: 0, nice: true },
            },
          },
        },
        {
          selection: {
            label: {
              type: 'single',
              on: 'mouseover',
              encodings: ['x', 'y'],
              empty: 'none',
              clear: 'mouseout',
            },
          },
          mark: 'rect',
          encoding: {
            tooltip: [
              { field: a('x'), type: 'nominal' },
              { field: a('y'), type: 'nominal' },
              normalized
                ? { field: 'percent_of_y', type: 'quantitative', format: '.2f' }
                : { field: 'xy_count', type: 'quantitative' },
            ],
            opacity: { condition: { selection: 'label', value: 1 }, value: 0 },
          },
        },
        {
          transform: [{ filter: { selection: 'label' } }],
          layer: [{ mark: { type: 'rect', color: 'lightpink' } }],
        },
        {
          mark: 'text',
          encoding: {
            ...(normalized
              ? {}
              : {
                  text: {
                    condition: { param: 'showValues', field: 'xy_count', type: 'quantitative' },
                  },
                }),
            color: {
              condition: {
                test: normalized ? 'datum.percent_of_y > 0.5' : 'datum.percent_of_max > 0.5',
                value: 'white',
              },
              value: 'black',
            },
          },
        },
      ],
    },
  };
}

function scatter(): Record<string, unknown> {
  return {
    ...head(),
    mark: { type: 'point', tooltip: { content: 'data' } },
    params: [a('zoom_and_pan')],
    encoding: {
      x: quantitative('x', 'x_label'),
      y: quantitative('y', 'y_label'),
      color: a('color'),
      shape: a('shape'),
      tooltip: a('tooltip'),
    },
  };
}

/** `linear` is `smooth` in DVC (LinearTemplate subclasses SmoothLinearTemplate). */
function smooth(): Record<string, unknown> {
  const x = quantitative('x', 'x_label');
  const y = quantitative('y', 'y_label', { scale: { zero: false } });
  const color = { field: 'rev', type: 'nominal' };
  return {
    ...head(),
    params: [
      {
        name: 'smooth',
        value: 0.001,
        bind: { input: 'range', min: 0.001, max: 1, step: 0.001 },
      },
    ],
    encoding: { x, color: a('color'), strokeDash: a('stroke_dash') },
    layer: [
      {
        layer: [
          { params: [a('zoom_and_pan')], mark: 'line' },
          { transform: [{ filter: { param: 'hover', empty: false } }], mark: 'point' },
        ],
        encoding: { y, color },
        transform: [
          {
            loess: a('y'),
            on: a('x'),
            groupby: a('group_by'),
            bandwidth: { signal: 'smooth' },
          },
        ],
      },
      { mark: { type: 'line', opacity: 0.2 }, encoding: { x, y, color } },
      {
        mark: { type: 'circle', size: 10 },
        encoding: {
          x: { ...x, aggregate: 'max' },
          y: { ...y, aggregate: { argmax: a('x') } },
          color,
        },
      },
      {
        transform: [
          { calculate: a('pivot_field'), as: 'pivot_field' },
          { pivot: 'pivot_field', op: 'mean', value: a('y'), groupby: [a('x')] },
        ],
        mark: { type: 'rule', tooltip: { content: 'data' }, stroke: 'grey' },
        encoding: {
          opacity: { condition: { value: 0.3, param: 'hover', empty: false }, value: 0 },
        },
        params: [
          {
            name: 'hover',
            select: {
              type: 'point',
              fields: [a('x')],
              nearest: true,
              on: 'mouseover',
              clear: 'mouseout',
            },
          },
        ],
      },
    ],
  };
}

function simple(): Record<string, unknown> {
  return {
    ...head(),
    params: [a('zoom_and_pan')],
    mark: { type: 'line', tooltip: { content: 'data' } },
    encoding: {
      x: quantitative('x', 'x_label'),
      y: quantitative('y', 'y_label', { scale: { zero: false } }),
      color: a('color'),
      strokeDash: a('stroke_dash'),
      tooltip: a('tooltip'),
    },
  };
}

/** A fresh copy of a template's content, anchors unfilled. */
export function templateContent(name: TemplateName): Record<string, unknown> {
  switch (name) {
    case 'linear':
    case 'smooth':
      return smooth();
    case 'simple':
      return simple();
    case 'scatter':
      return scatter();
    case 'confusion':
      return confusion(false);
    case 'confusion_normalized':
      return confusion(true);
    case 'bar_horizontal':
      return barHorizontal(false);
    case 'bar_horizontal_sorted':
      return barHorizontal(true);
  }
}

/** Which of a template's axes are numbers (the others are categories). */
export function quantitativeAxes(name: TemplateName): { x: boolean; y: boolean } {
  if (name === 'confusion' || name === 'confusion_normalized') return { x: false, y: false };
  if (name === 'bar_horizontal' || name === 'bar_horizontal_sorted') return { x: true, y: false };
  return { x: true, y: true };
}
