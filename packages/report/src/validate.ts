/**
 * Checks a report's input before anything is drawn or written: one `TroveError`
 * (`INVALID_ARGUMENT`) names the first problem.
 */
import { TroveError } from '@trove/core';
import { quantitativeAxes, TEMPLATE_NAMES, type TemplateName } from './templates.js';
import type { ReportImage, ReportInput, ReportPlot } from './types.js';

const SIGNATURES: Record<ReportImage['mime'], number[][]> = {
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [
    [0x47, 0x49, 0x46, 0x38, 0x37, 0x61],
    [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  ],
};

function bad(message: string): TroveError {
  return new TroveError('INVALID_ARGUMENT', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateInput(input: ReportInput): void {
  if (!isRecord(input)) throw bad('A report input must be an object.');
  if (input.title !== undefined && typeof input.title !== 'string') {
    throw bad('The report title must be a string.');
  }
  if (!isRecord(input.params)) throw bad('params must be an object.');
  if (!isRecord(input.metrics)) throw bad('metrics must be an object.');
  if (!Array.isArray(input.plots)) throw bad('plots must be an array.');
  if (!Array.isArray(input.images)) throw bad('images must be an array.');
  const ids = new Set<string>();
  for (const plot of input.plots) {
    validatePlot(plot);
    if (ids.has(plot.id)) throw bad(`Two plots have the id ${JSON.stringify(plot.id)}.`);
    ids.add(plot.id);
  }
  for (const image of input.images) validateImage(image);
}

/** A plot id names a file under the markdown report's folder: relative, no `..`, no `\`. */
const ID_RE = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[^\\/:*?"<>|\0][^\\:*?"<>|\0]*$/;

function validatePlot(plot: ReportPlot): void {
  if (!isRecord(plot)) throw bad('Each plot must be an object.');
  const label = typeof plot.id === 'string' ? JSON.stringify(plot.id) : String(plot.id);
  if (typeof plot.id !== 'string' || !ID_RE.test(plot.id) || plot.id.endsWith('/')) {
    throw bad(`Plot id ${label} must be a relative path without "..".`);
  }
  if (!(TEMPLATE_NAMES as readonly string[]).includes(plot.template)) {
    throw bad(
      `Plot ${label}: unknown template ${JSON.stringify(plot.template)} (one of ${TEMPLATE_NAMES.join(', ')}).`,
    );
  }
  for (const key of ['x', 'y'] as const) {
    if (typeof plot[key] !== 'string' || plot[key] === '') {
      throw bad(`Plot ${label}: ${key} must be a field name.`);
    }
  }
  for (const key of ['title', 'xLabel', 'yLabel'] as const) {
    if (plot[key] !== undefined && typeof plot[key] !== 'string') {
      throw bad(`Plot ${label}: ${key} must be a string.`);
    }
  }
  if (!Array.isArray(plot.data) || plot.data.length === 0) {
    throw bad(`Plot ${label}: data must be a non-empty array of rows.`);
  }
  const numeric = quantitativeAxes(plot.template as TemplateName);
  plot.data.forEach((row, i) => {
    if (!isRecord(row)) throw bad(`Plot ${label}: row ${i} is not an object.`);
    for (const [field, value] of Object.entries(row)) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw bad(
          `Plot ${label}: row ${i} field ${JSON.stringify(field)} is not a string or number.`,
        );
      }
    }
    for (const axis of ['x', 'y'] as const) {
      const field = plot[axis];
      if (!(field in row)) {
        throw bad(`Plot ${label}: row ${i} has no field ${JSON.stringify(field)} (its ${axis}).`);
      }
      if (numeric[axis] && toNumber(row[field]) === undefined) {
        throw bad(
          `Plot ${label}: row ${i} field ${JSON.stringify(field)} is ${JSON.stringify(row[field])}, not a number (template ${plot.template}).`,
        );
      }
    }
  });
}

/** Numbers, and the strings DVC's TSV and JSON files hold for them (`0.5`, `nan`, `inf`). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^[+-]?(nan)$/i.test(text)) return Number.NaN;
  if (/^[+]?(inf|infinity)$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-(inf|infinity)$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

function validateImage(image: ReportImage): void {
  if (!isRecord(image)) throw bad('Each image must be an object.');
  if (typeof image.name !== 'string' || image.name === '') {
    throw bad('Each image needs a name.');
  }
  const label = JSON.stringify(image.name);
  const signatures = SIGNATURES[image.mime];
  if (!signatures) {
    throw bad(
      `Image ${label}: mime ${JSON.stringify(image.mime)} is not image/png, image/jpeg or image/gif.`,
    );
  }
  if (!(image.bytes instanceof Uint8Array))
    throw bad(`Image ${label}: bytes must be a Uint8Array.`);
  const bytes = image.bytes;
  if (!signatures.some((sig) => sig.every((b, i) => bytes[i] === b))) {
    throw bad(`Image ${label}: its bytes are not a ${image.mime} image.`);
  }
}
