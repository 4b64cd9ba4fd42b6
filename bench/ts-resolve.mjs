// A module-resolution hook for benches that import @trove/test-utils' TypeScript sources (whose
// imports name `.js` files): Node strips the types, this maps `x.js` to `x.ts` when `x.js` is
// not there. Registered with `register('./ts-resolve.mjs', import.meta.url)`.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}
