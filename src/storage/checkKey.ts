import { AppError } from '../errors/AppError.js';

/** Storage keys are relative paths of safe characters: no empty, `.` or `..` segments. */
export function checkKey(key: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/ ]*$/.test(key) || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new AppError('invalid_argument', `Invalid storage key: ${key}`);
  }
  return key;
}
