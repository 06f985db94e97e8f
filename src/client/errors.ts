import { TroupeError } from '../team/errors.js';

/** The codes of the errors the client throws before a run starts or a decision is sent. */
export const ClientErrorCode = [
  'BUDGET_NEEDS_PRICES',
  'DECISION_REFUSED',
  'NO_TEAMS',
  'UNKNOWN_RUN',
  'FEED_OFFSET',
  'NO_FEED',
  'FEED_UNREADABLE',
] as const;
/** One of the codes of ClientError, the stable names to match on. */
export type ClientErrorCode = (typeof ClientErrorCode)[number];

/**
 * A request the client refuses: a USD budget without prices, a decision it cannot sign or a run
 * refused, a start without teams, a feed that cannot be read (no such run, an offset out of range,
 * a run without a feed, a closed run with no worker to replay it).
 */
export class ClientError extends TroupeError {
  static override readonly codes: readonly string[] = ClientErrorCode;
  declare readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ClientError';
  }
}
