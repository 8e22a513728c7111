// Schedules, the last resort among triggers, for periodic aggregation only. A schedule does
// not call an agent: it writes the same inbox row a webhook would, keyed by (schedule, slot),
// so every instance may run the schedule and still one slot becomes one event, handled once.
import { CronExpressionParser } from 'cron-parser';
import { InvalidOptionError, durationMs, readClock, systemScheduler } from '@12-factor-agentops/core';
import type { CancelTimer, Scheduler } from '@12-factor-agentops/core';
import { DEFAULT_SCHEDULE_TICK_MS } from './defaults.ts';
import { describeFailure } from './inbox.ts';
import type { AcceptOutcome, EventInbox } from './inbox.ts';
import { defineRoutes, routeEvent } from './routing.ts';
import type { RoutingTable } from './routing.ts';
import type { VerifiedDelivery } from './sources.ts';

/** The inbox source every schedule writes under; its delivery ids are `<schedule>@<slot start, ISO 8601>`. */
export const SCHEDULE_SOURCE = 'schedule';

export interface ScheduleOptions {
  /** Lowercase letters, digits and inner `-`. */
  readonly name: string;
  /** Five-field cron expression, read in UTC (`0 6 * * *`: 06:00 UTC every day). */
  readonly cron: string;
  /** The event type the slot's event carries, for the routing table (`digest.daily`). */
  readonly eventType: string;
}

/** What one schedule did at one tick. */
export interface SlotOutcome {
  readonly schedule: string;
  /** The slot's start, ms since the epoch: the latest time the expression names at or before now. */
  readonly slot: number;
  readonly outcome: AcceptOutcome | { readonly status: 'inbox-error'; readonly error: string };
}

interface CompiledSchedule extends ScheduleOptions {
  readonly expression: string;
}

const SCHEDULE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The start of the slot `now` falls in: the latest time `cron` names at or before `now` (UTC). */
export function scheduleSlot(cron: string, now: number): number {
  const interval = CronExpressionParser.parse(cron, { currentDate: new Date(now + 1), tz: 'UTC' });
  return interval.prev().getTime();
}

/**
 * Writes each schedule's current slot into the inbox as an event, on every tick. Run it on
 * every instance: the inbox's key (source `schedule`, `<name>@<slot>`) makes the slot one row,
 * and the workers hand that row to its agent once. A slot missed while no instance ran is not
 * written later: aggregation over a period belongs to the next slot's run.
 */
export class ScheduleEmitter {
  readonly #inbox: EventInbox;
  readonly #routes: RoutingTable;
  readonly #schedules: readonly CompiledSchedule[];
  readonly #scheduler: Scheduler;
  readonly #tickMs: number;
  readonly #onStored: (outcome: AcceptOutcome) => void;
  #cancel: CancelTimer | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: {
    readonly inbox: EventInbox;
    readonly routes: RoutingTable;
    readonly schedules: readonly ScheduleOptions[];
    readonly scheduler?: Scheduler;
    /** How often the emitter looks for a new slot. Default 10 s. */
    readonly tickMs?: number;
    /** Told after a slot's row is stored (the workers' cue). */
    readonly onStored?: (outcome: AcceptOutcome) => void;
  }) {
    this.#inbox = options.inbox;
    this.#routes = defineRoutes(options.routes);
    this.#schedules = options.schedules.map((schedule, index) => compile(schedule, index));
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#tickMs = durationMs('tickMs', options.tickMs ?? DEFAULT_SCHEDULE_TICK_MS, { min: 100 });
    this.#onStored = options.onStored ?? (() => {});
  }

  /** Writes the current slot of every schedule (a duplicate when this or another instance already did). */
  async emitDue(): Promise<readonly SlotOutcome[]> {
    const now = readClock(this.#scheduler, "the schedule's clock");
    const outcomes: SlotOutcome[] = [];
    for (const schedule of this.#schedules) {
      const slot = scheduleSlot(schedule.expression, now);
      const delivery = slotDelivery(schedule, slot);
      try {
        const outcome = await this.#inbox.accept(delivery, routeEvent(this.#routes, schedule.eventType), now);
        if (outcome.status !== 'duplicate') this.#onStored(outcome);
        outcomes.push({ schedule: schedule.name, slot, outcome });
      } catch (error) {
        outcomes.push({ schedule: schedule.name, slot, outcome: { status: 'inbox-error', error: describeFailure(error) } });
      }
    }
    return outcomes;
  }

  /** Emits now and then every `tickMs`, until `stop()`. */
  start(): this {
    if (this.#cancel !== undefined) return this;
    const tick = (): void => {
      this.#running = this.emitDue().finally(() => {
        if (this.#cancel !== undefined) this.#cancel = this.#scheduler.setTimer(this.#tickMs, tick);
      });
    };
    this.#cancel = () => {};
    tick();
    return this;
  }

  /** Stops ticking and waits for a running tick to end. */
  async stop(): Promise<void> {
    const cancel = this.#cancel;
    this.#cancel = undefined;
    cancel?.();
    await this.#running.catch(() => undefined);
  }
}

function compile(schedule: ScheduleOptions, index: number): CompiledSchedule {
  if (typeof schedule.name !== 'string' || !SCHEDULE_NAME.test(schedule.name)) {
    throw new InvalidOptionError(`schedules[${index}].name`, 'lowercase letters, digits and inner "-", 1 to 64 characters', schedule.name);
  }
  if (typeof schedule.cron !== 'string' || !/^\S+( \S+){4}$/.test(schedule.cron.trim())) {
    throw new InvalidOptionError(`schedules[${index}].cron`, 'a five-field cron expression', schedule.cron);
  }
  try {
    CronExpressionParser.parse(schedule.cron, { tz: 'UTC' });
  } catch (error) {
    throw new InvalidOptionError(`schedules[${index}].cron`, `a valid five-field cron expression (${describeFailure(error)})`, schedule.cron);
  }
  if (typeof schedule.eventType !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(schedule.eventType)) {
    throw new InvalidOptionError(`schedules[${index}].eventType`, 'an event type of 1 to 128 letters, digits, "_", "." or "-"', schedule.eventType);
  }
  return { ...schedule, expression: schedule.cron.trim() };
}

function slotDelivery(schedule: CompiledSchedule, slot: number): VerifiedDelivery {
  const slotIso = new Date(slot).toISOString();
  const payload = { type: schedule.eventType, schedule: schedule.name, slot: slotIso };
  return { source: SCHEDULE_SOURCE, deliveryId: `${schedule.name}@${slotIso}`, eventType: schedule.eventType, body: JSON.stringify(payload), payload, sentAt: undefined };
}
