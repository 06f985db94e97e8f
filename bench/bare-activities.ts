import { setTimeout as sleep } from 'node:timers/promises';

/** The bare workflows' one activity: waits `delayMs` (a zero-latency model when 0) and answers. */
export const bareActivities = {
  async work({ input, delayMs }: { input: string; delayMs: number }): Promise<string> {
    if (delayMs > 0) await sleep(delayMs);
    return `done: ${input.slice(0, 40)}`;
  },
};
