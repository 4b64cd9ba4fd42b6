export * from './backend.js';
export { bodyChunks, compareKeys } from './body.js';
export { errnoCode, isTroveError, TroveError } from './errors.js';
export type { TroveErrorCode, TroveErrorOptions } from './errors.js';
export { joinKey, RESERVED_SEGMENT_PREFIX, validateKey, validatePrefix } from './keys.js';
export { createMemoryBackend, MemoryBackend } from './memory-backend.js';
