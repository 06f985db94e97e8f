/** The task queue Troupe's workers poll and its clients start runs on. */
export function defaultTaskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env['TROUPE_TASK_QUEUE'] || 'troupe';
}
