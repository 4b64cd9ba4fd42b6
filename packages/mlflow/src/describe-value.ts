/**
 * A value named in a refusal, for an argument of the wrong kind: a model object passed where
 * the path of its saved file is expected (MLflow's `log_model(model)` habit) says what it was.
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
