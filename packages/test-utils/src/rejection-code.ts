/**
 * The `code` of the TroveError `promise` rejects with, or `resolved` when it resolves; anything
 * that is not a TroveError (recognised by its `Symbol.for('trove.error')` marker, as core does)
 * is thrown again, so a test never mistakes a crash for a refusal.
 */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    const marked =
      typeof err === 'object' &&
      err !== null &&
      (err as Record<symbol, unknown>)[Symbol.for('trove.error')] === true;
    if (marked) return String((err as { code: unknown }).code);
    throw err;
  }
}
