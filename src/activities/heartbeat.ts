import type { Context } from '@temporalio/activity';

/**
 * Heartbeats until the returned function is called, a few times per heartbeat timeout: a call whose
 * worker died is then retried once that timeout passes, not its whole start-to-close timeout, and
 * a cancellation reaches the call. `what` names what the call waits for, in the heartbeat's details.
 */
export function heartbeatUntilDone(context: Context, what: string): () => void {
  const everyMs = Math.max(200, Math.floor((context.info.heartbeatTimeoutMs ?? 30_000) / 3));
  const startedAt = Date.now();
  const timer = setInterval(() => context.heartbeat({ [what]: Date.now() - startedAt }), everyMs);
  return () => clearInterval(timer);
}
