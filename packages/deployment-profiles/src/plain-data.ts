// Reads caller data without running the caller's code. A getter, a setter or a Proxy trap
// could answer differently on each read (pass the clearance check, then change the label
// before it is used) or throw; copying own data properties through their descriptors, after
// refusing proxies, reads each value exactly once and runs nothing.
import { types } from 'node:util';

/** What a caller passed, copied, or the reason it could not be copied safely. */
export type PlainRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** The own data properties of a plain object (prototype `Object.prototype` or `null`), copied. */
export function readPlainObject(value: unknown): PlainRead<ReadonlyMap<string, unknown>> {
  if (types.isProxy(value)) return { ok: false, problem: 'is a Proxy; pass plain data' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: `must be a plain object, got ${kindOf(value)}` };
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return { ok: false, problem: 'is a class instance; pass a plain object' };
  const fields = new Map<string, unknown>();
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if (!('value' in descriptor)) return { ok: false, problem: `has an accessor (getter or setter) at ${JSON.stringify(key)}; pass plain data` };
    fields.set(key, descriptor.value);
  }
  return { ok: true, value: fields };
}

/** The items of a plain array (no holes, no accessors, not a Proxy), copied. */
export function readPlainArray(value: unknown): PlainRead<readonly unknown[]> {
  if (types.isProxy(value)) return { ok: false, problem: 'is a Proxy; pass plain data' };
  if (!Array.isArray(value)) return { ok: false, problem: `must be a list, got ${kindOf(value)}` };
  if (Object.getPrototypeOf(value) !== Array.prototype) return { ok: false, problem: 'is an Array subclass; pass a plain list' };
  const lengthDescriptor = Object.getOwnPropertyDescriptor(value, 'length');
  const length: unknown = lengthDescriptor?.value;
  if (typeof length !== 'number') return { ok: false, problem: 'has no readable length' };
  const items: unknown[] = [];
  for (let index = 0; index < length; index++) {
    const descriptor = Object.getOwnPropertyDescriptor(value, index);
    if (descriptor === undefined) return { ok: false, problem: `has a hole at [${index}]` };
    if (!('value' in descriptor)) return { ok: false, problem: `has an accessor at [${index}]; pass plain data` };
    items.push(descriptor.value);
  }
  return { ok: true, value: items };
}

/** `value`'s kind for a message, without reading into it. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  // Array.isArray throws on a revoked Proxy.
  if (types.isProxy(value)) return 'a Proxy';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${String(value)}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
