import type { NoticeMemo, StopReason } from '../../../protocol/messages.js';

/**
 * Whether a model call (or a sub-team) may start. `room`: it may, and it is counted in flight;
 * `notice`, once in a run, says the budget's lowAt share is now spent. `limit`: a cap is reached
 * and nothing was counted; `own` when it is the run's own budget (a person may raise it), not a
 * team limit or a parent's allowance.
 */
export type Room = { kind: 'room'; notice?: NoticeMemo } | { kind: 'limit'; reason: StopReason; own: boolean };
