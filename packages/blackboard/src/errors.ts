// The typed errors of the board. Each says what was wrong, where, and that nothing changed.
import { FencingTokenRejected } from '@12-factor-agentops/sql';

export { FencingTokenRejected };

/**
 * A compare-and-set write named a version the entry no longer has (or expected it absent when
 * it exists). Nothing was written; read `currentVersion`, merge, and write again.
 */
export class Conflict extends Error {
  override readonly name = 'Conflict';
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    /** The entry's version now; 0 when it does not exist. */
    readonly currentVersion: number,
  ) {
    super(
      `Entry "${key}" is at version ${currentVersion}, not ${expectedVersion} as the write expected. ` +
        'Nothing was written: read the entry again, merge, and retry with its current version.',
    );
  }
}

/** A shard names a type the board was not told about: no worker kind would ever claim it. */
export class UnknownShardType extends Error {
  override readonly name = 'UnknownShardType';
  constructor(
    readonly shardKey: string,
    readonly type: string,
    readonly known: readonly string[],
  ) {
    super(
      `Shard "${shardKey}" has type "${type}", which this board does not route (known: ${known.map((t) => `"${t}"`).join(', ')}). ` +
        'Nothing was posted.',
    );
  }
}

/** A shard's input is larger, as JSON, than the board accepts. */
export class InputTooLarge extends Error {
  override readonly name = 'InputTooLarge';
  constructor(
    readonly shardKey: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`Shard "${shardKey}" has an input of ${bytes} bytes as JSON; the limit is ${limit}. Nothing was posted: pass a reference to large data instead.`);
  }
}

/** A value is not plain JSON (a function, NaN, a class instance, a cycle…). */
export class NotJson extends Error {
  override readonly name = 'NotJson';
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where} is not plain JSON: ${problem}. Nothing was written.`);
  }
}

/** A call named a shard the board does not hold. */
export class ShardNotFound extends Error {
  override readonly name = 'ShardNotFound';
  constructor(readonly shardId: string) {
    super(`No shard "${shardId}" on the board. Nothing was written.`);
  }
}

/**
 * A mission was posted again under the same idempotency key with a different intent. A shard
 * is immutable once accepted: post new work under a new key.
 */
export class IntentChanged extends Error {
  override readonly name = 'IntentChanged';
  constructor(
    readonly shardId: string,
    readonly field: string,
  ) {
    super(`Shard "${shardId}" was accepted earlier with a different ${field}. A shard never changes: post the new work under a new key. Nothing was posted.`);
  }
}
