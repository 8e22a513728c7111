// The shard work of the multi-process test and the bench: small, deterministic, and a little slow.
import { createHash } from 'node:crypto';
import type { Json } from '../../src/index.ts';

/** The result of shard `input`: the same whichever worker, process or attempt computes it. */
export function digest(input: Json): Json {
  return createHash('sha256').update(`shard:${JSON.stringify(input)}`).digest('hex').slice(0, 16);
}

/** The merge of a mission: one hash over every shard's key and result, in key order. */
export function mergeDigests(results: ReadonlyMap<string, Json>): Json {
  const hash = createHash('sha256');
  for (const key of [...results.keys()].sort()) hash.update(`${key}=${String(results.get(key))};`);
  return hash.digest('hex');
}
