import { UnknownLabel } from './errors.ts';

/**
 * The sensitivity labels, lowest first: PUBLIC < INTERNAL < RESTRICTED. Generic names, not
 * anyone's real markings. The order is the lattice: data may move up (to an endpoint
 * cleared higher) and never down.
 */
export const LABELS = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;

export type Label = (typeof LABELS)[number];

const RANK: ReadonlyMap<unknown, number> = new Map(LABELS.map((label, index) => [label, index]));

/** True when `value` is one of `LABELS` (exact spelling, upper case). */
export function isLabel(value: unknown): value is Label {
  return RANK.has(value);
}

/** The label's position in the lattice: 0 for PUBLIC, 2 for RESTRICTED. */
export function labelRank(label: Label): number {
  return RANK.get(label) ?? Number.NaN;
}

// #region no-write-down
/** True when `clearance` is at or above `label`: an endpoint cleared for `clearance` may receive data labelled `label`. */
export function clears(clearance: Label, label: Label): boolean {
  return labelRank(clearance) >= labelRank(label);
}

/**
 * The label of data derived from all of `labels`: the highest of them (PUBLIC for none).
 * A response computed from a RESTRICTED input is RESTRICTED, whatever else went in.
 */
export function joinLabels(labels: readonly Label[]): Label {
  let highest: Label = 'PUBLIC';
  for (const label of labels) if (labelRank(label) > labelRank(highest)) highest = label;
  return highest;
}
// #endregion no-write-down

/** Returns `value` as a `Label`, or throws `UnknownLabel` naming `field`. */
export function parseLabel(value: unknown, field: string): Label {
  if (isLabel(value)) return value;
  throw new UnknownLabel(field, value);
}
