export { resolveTemporalBinary, binaryNotFound, type TemporalBinary, type ServerExecutable } from './binaries.js';
export { configuredCluster, connectToCluster } from './cluster.js';
export { createTroupeWorker, WORKFLOWS_PATH, type TroupeWorkerOptions } from './create-worker.js';
export { startEmbeddedServer, type EmbeddedServerOptions } from './embedded-server.js';
export { createModelClient, verifyModelAccess, type ModelClient } from './model-client.js';
export { openTarget } from './open-target.js';
export { defaultTaskQueue } from './task-queue.js';
export { loadTeamsModule, EXAMPLE_TEAMS, type TeamsModule } from './teams-module.js';
export type { TemporalTarget } from './temporal-target.js';
