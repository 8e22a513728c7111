// The typed errors of the mission lifecycle. Each names the mission, the file or the state
// that was wrong, and says what to do; none is thrown after a partial write.

/** The table has no transition for this event in this state, or its guard is false. Nothing was persisted. */
export class InvalidTransition extends Error {
  override readonly name = 'InvalidTransition';
  constructor(
    readonly from: string,
    readonly event: string,
    readonly allowed: readonly string[],
    /** The guard that said no, when the table has the transition. */
    readonly guard?: string,
  ) {
    super(
      guard === undefined
        ? `Event ${event} is not allowed in state "${from}"; allowed: ${allowed.length === 0 ? 'none (the state is final)' : allowed.join(', ')}. Nothing was persisted.`
        : `Event ${event} in state "${from}" was refused by guard ${guard}. Nothing was persisted.`,
    );
  }
}

/** Stored data names a state this release does not know (a newer release probably wrote it). */
export class UnknownMissionState extends Error {
  override readonly name = 'UnknownMissionState';
  constructor(
    readonly state: unknown,
    /** Where it was read: a journal path and line, or a table row. */
    readonly where: string,
  ) {
    super(`Unknown mission state ${JSON.stringify(state)} at ${where}: a newer release may have written it. Run that release; nothing was changed.`);
  }
}

/** An event name this release does not know. */
export class UnknownMissionEvent extends Error {
  override readonly name = 'UnknownMissionEvent';
  constructor(readonly event: unknown) {
    super(`Unknown mission event ${JSON.stringify(event)}. Nothing was persisted.`);
  }
}

/** No mission with this id exists in the store. */
export class MissionNotFound extends Error {
  override readonly name = 'MissionNotFound';
  constructor(
    readonly missionId: string,
    readonly where: string,
  ) {
    super(`No mission "${missionId}" in ${where}. Create it first, or check the id.`);
  }
}

/** `create` was asked for an id that exists already; the existing mission is left as it is. */
export class MissionExists extends Error {
  override readonly name = 'MissionExists';
  constructor(
    readonly missionId: string,
    readonly where: string,
  ) {
    super(`Mission "${missionId}" already exists in ${where}; it was left unchanged. Resume it instead.`);
  }
}

/** A complete journal line that is not a record this release can read. Nothing was repaired. */
export class JournalCorrupt extends Error {
  override readonly name = 'JournalCorrupt';
  constructor(
    readonly path: string,
    /** 1-based line number. */
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${path}:${line}: ${problem}. The journal was not changed; inspect or restore it before resuming the mission.`);
  }
}

/** A lock directory exists but holds no readable owner record; it is not broken automatically. */
export class OwnerRecordUnreadable extends Error {
  override readonly name = 'OwnerRecordUnreadable';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `Lock directory ${path} has no readable owner record (${problem}). It was left in place: if no worker is running ` +
        'this mission, remove the directory by hand, then resume.',
    );
  }
}

/** Another worker holds the mission under a live lease. */
export class MissionOwned extends Error {
  override readonly name = 'MissionOwned';
  constructor(
    readonly missionId: string,
    readonly owner: { readonly worker: string; readonly host: string; readonly pid: number; readonly token: number; readonly expiresAt: number },
  ) {
    super(
      `Mission "${missionId}" is owned by worker "${owner.worker}" (pid ${owner.pid} on ${owner.host}, token ${owner.token}) ` +
        `until ${new Date(owner.expiresAt).toISOString()}. Try again after the lease expires.`,
    );
  }
}

/** A step function threw; the mission was moved to `failed` with this reason. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
  constructor(
    readonly missionId: string,
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`Step "${step}" of mission "${missionId}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
