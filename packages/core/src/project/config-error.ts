import { TroveError } from '../errors.js';

/** One `INVALID_CONFIG` error naming the file and the setting (`stores.team.type`). */
export function configError(
  file: string,
  path: string,
  message: string,
  hint?: string,
): TroveError {
  return new TroveError('INVALID_CONFIG', `${file}: ${path ? `${path}: ` : ''}${message}`, {
    key: file,
    hint,
  });
}
