import { SYSTEM_ACTOR } from './audit.ts';
import { InvalidGateArgument } from './errors.ts';

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The form in which the gate compares people's ids, so that one person has one id: NFKC
 * (fullwidth and other compatibility forms, composed accents), then `toLowerCase()`, then
 * without default-ignorable code points (zero-width spaces and joiners, soft hyphens,
 * byte-order marks, variation selectors), then NFKC once more, because removing an invisible
 * character can bring a combining mark next to its letter. It folds only what those steps fold:
 * `ß` stays apart from `ss`, Turkish dotless `ı` from `i`, final `ς` from `σ`, and look-alikes
 * from other scripts (Cyrillic `а`, Latin `a`) stay different people. Ids worth trusting come
 * from authentication; this only keeps one authenticated person from counting twice.
 */
export function normalizeIdentity(id: string): string {
  return id.normalize('NFKC').toLowerCase().replace(DEFAULT_IGNORABLE, '').normalize('NFKC');
}

/** Turns a raw id into the id the gate compares, recording the same person always the same way. */
export type IdentityNormalizer = (id: string) => string;

/**
 * Returns `id` as `normalize` writes it, or throws `InvalidGateArgument` naming `argument`
 * unless that is a non-empty id without surrounding spaces and not the reserved `system`.
 */
export function personId(argument: string, id: unknown, normalize: IdentityNormalizer): string {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new InvalidGateArgument(argument, `expected a non-empty id without surrounding spaces, got ${JSON.stringify(id) ?? String(id)}`);
  }
  const normalized: unknown = normalize(id);
  if (typeof normalized !== 'string') {
    throw new InvalidGateArgument(argument, `normalizeIdentity(${JSON.stringify(id)}) returned ${typeof normalized}, not a string; fix the normalizer`);
  }
  if (normalized === '') {
    throw new InvalidGateArgument(argument, `expected a person's id, got ${JSON.stringify(id)}: nothing is left once normalised (case folded, invisible characters removed)`);
  }
  if (normalized.trim() !== normalized) {
    throw new InvalidGateArgument(argument, `expected a non-empty id without surrounding spaces, got ${JSON.stringify(id)}`);
  }
  if (normalized === SYSTEM_ACTOR) {
    throw new InvalidGateArgument(argument, `"${SYSTEM_ACTOR}" (in any spelling) is reserved for decisions the gate takes on its own (time-outs, escalation)`);
  }
  return normalized;
}
