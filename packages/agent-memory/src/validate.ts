import { InvalidMemoryInput } from './errors.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/** An id: 1–200 characters of letters, digits and `. _ : / -`, starting with a letter or digit. */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidMemoryInput(field, `must be a string id, got ${describe(value)}`);
  if (!ID.test(value)) {
    throw new InvalidMemoryInput(field, `"${value.slice(0, 60)}" is not an id: use 1–200 letters, digits and . _ : / -, starting with a letter or digit`);
  }
  return value;
}

/** A non-empty string of at most `max` characters, without NUL (PostgreSQL text cannot hold it). */
export function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw new InvalidMemoryInput(field, `must be a string, got ${describe(value)}`);
  if (value.trim() === '') throw new InvalidMemoryInput(field, 'is empty');
  if (value.length > max) throw new InvalidMemoryInput(field, `is ${value.length} characters; the limit is ${max}`);
  if (value.includes('\u0000')) throw new InvalidMemoryInput(field, 'contains a NUL character, which PostgreSQL text cannot store');
  return value;
}

/** A whole number in [min, max]. */
export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidMemoryInput(field, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** A finite time in ms since the epoch, from the injected clock. */
export function checkTime(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || !Number.isSafeInteger(Math.trunc(value))) {
    throw new InvalidMemoryInput(field, `must be a finite, non-negative time in ms since the epoch, got ${describe(value)}`);
  }
  return Math.trunc(value);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
