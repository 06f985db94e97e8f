/**
 * Now, in workflow code. The sandbox's Date is the time of the current workflow activation,
 * recorded in history, so this is deterministic on replay (unlike the host clock).
 */
export function workflowNow(): number {
  return Date.now();
}
