export { InvalidOptionError, MAX_DURATION_MS, describeValue, durationMs, positiveNumber, wholeNumber } from './invalid-option.ts';
export type { DurationBounds } from './invalid-option.ts';
export {
  ClockReadingInvalid,
  MAX_NODE_TIMER_MS,
  ManualClock,
  NonDecreasingClock,
  SleepAborted,
  readClock,
  setSafeTimer,
  sleep,
  systemClock,
  systemMonotonicClock,
  systemScheduler,
} from './time.ts';
export type { CancelTimer, Clock, MonotonicClock, Scheduler, Timers } from './time.ts';
export { VirtualScheduler } from './virtual-scheduler.ts';
export { InvalidUtf8, TornTail, decodeUtf8Exact, errorCode, firstInvalidUtf8, readFrom, readLinesFile, repairTornTail, splitLines } from './lines.ts';
export type { ExactLines, LinesFile, ReadLinesOptions, TornTailPolicy, TornTailRepair } from './lines.ts';
export { AppenderUnavailable, DurableAppender, openAppendTarget, syncDirectory } from './append.ts';
export type { AppendTarget, SyncMode } from './append.ts';
export { removeReplaceDrafts, replaceFileAtomically } from './atomic-file.ts';
export { FileLock, LockTimeout } from './file-lock.ts';
export type { FileLockOptions, LockOwner, LockRepair } from './file-lock.ts';
export { seededRandom } from './random.ts';
