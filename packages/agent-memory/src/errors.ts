/**
 * An argument to a memory call was refused before anything was written: `field` names the
 * argument (`document.body`, `relation.to`, `budgetTokens`), the message says what was wrong.
 */
export class InvalidMemoryInput extends Error {
  override readonly name = 'InvalidMemoryInput';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A relation or a history record named an entity the graph does not hold; nothing was written. */
export class UnknownEntity extends Error {
  override readonly name = 'UnknownEntity';
  constructor(
    readonly entityId: string,
    readonly field: string,
  ) {
    super(`${field}: no entity "${entityId}" in the graph. Add it with graph.upsertEntity first.`);
  }
}

/** A history record named in `corrects` does not exist; nothing was written. */
export class UnknownRecord extends Error {
  override readonly name = 'UnknownRecord';
  constructor(readonly seq: bigint) {
    super(`corrects: no history record ${seq}. A correction must point at an existing record.`);
  }
}

/** The budget cannot hold even the mission's lifecycle state, which every bundle carries. */
export class BudgetTooSmall extends Error {
  override readonly name = 'BudgetTooSmall';
  constructor(
    readonly missionId: string,
    readonly budgetTokens: number,
    readonly neededTokens: number,
  ) {
    super(`A resume bundle for mission "${missionId}" needs at least ${neededTokens} tokens for the lifecycle state; the budget is ${budgetTokens}.`);
  }
}
