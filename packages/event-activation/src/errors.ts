/** Why the receiver refused a request: one code per case, each with its HTTP status. */
export type RefusalCode =
  | 'body-too-large'
  | 'unsupported-media-type'
  | 'missing-header'
  | 'malformed-header'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'signature-mismatch'
  | 'invalid-json';

/** The HTTP status of each refusal. */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, 400 | 401 | 413 | 415>> = {
  'body-too-large': 413,
  'unsupported-media-type': 415,
  'missing-header': 400,
  'malformed-header': 400,
  'malformed-timestamp': 400,
  'stale-timestamp': 401,
  'future-timestamp': 401,
  'signature-mismatch': 401,
  'invalid-json': 400,
};

/**
 * A delivery was refused: nothing was stored and nothing dispatched. The message is the
 * one-line reason the sender gets back; it never says which secret came close.
 */
export class DeliveryRefused extends Error {
  override readonly name = 'DeliveryRefused';
  readonly status: 400 | 401 | 413 | 415;
  constructor(
    readonly code: RefusalCode,
    reason: string,
  ) {
    super(reason);
    this.status = REFUSAL_STATUS[code];
  }
}

/**
 * The inbox could not make a verified delivery durable (the database is down, a statement
 * failed): the receiver answers 503 so the sender delivers it again later.
 */
export class InboxUnavailable extends Error {
  override readonly name = 'InboxUnavailable';
  constructor(
    readonly source: string,
    readonly deliveryId: string,
    options: { readonly cause: unknown },
  ) {
    super(
      `Delivery "${deliveryId}" of source "${source}" was verified but could not be stored in the inbox: ${describeCause(options.cause)}. ` +
        'It was not acknowledged; the sender will deliver it again. Check the database.',
      options,
    );
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
