import { TroupeError } from '../team/errors.js';

/**
 * The codes of the errors thrown to callers of the activities' helpers (the scripted Messages API).
 * What fails inside an activity fails with an ApplicationFailure of a FailureType instead.
 */
export const ActivityErrorCode = ['REQUESTS_NOT_RECORDED'] as const;
/** One of the codes of ActivityError, the stable names to match on. */
export type ActivityErrorCode = (typeof ActivityErrorCode)[number];

/** A helper used outside an activity asked for what it cannot give (a scripted double asked to count requests it does not keep). */
export class ActivityError extends TroupeError {
  static override readonly codes: readonly string[] = ActivityErrorCode;
  declare readonly code: ActivityErrorCode;

  constructor(code: ActivityErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ActivityError';
  }
}
