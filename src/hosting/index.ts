/**
 * `troupe/hosting`: finding and installing the Temporal binaries, the embedded dev server, and the cluster the
 * environment names, as the CLI and the testing kit use them.
 *
 * Experimental: not a stable contract; it may change in any release. The stable API is `troupe`,
 * `troupe/client`, `troupe/worker` and `troupe/testing`.
 *
 * @module troupe/hosting
 * @experimental
 */
export {
  resolveTemporalBinary,
  binaryNotFound,
  LOCAL_TOOLS,
  type TemporalBinary,
  type ServerExecutable,
} from './binaries.js';
export { installTemporalBinaries } from './install-binaries.js';
export { configuredCluster, connectToCluster, clusterForCommand, type ClusterChoice } from './cluster.js';
export { startEmbeddedServer, type EmbeddedServerOptions } from './embedded-server.js';
export { openTarget } from './open-target.js';
export { defaultTaskQueue } from './task-queue.js';
export type { TemporalTarget } from './temporal-target.js';
export { ensureSearchAttributes, TROUPE_SEARCH_ATTRIBUTES } from './search-attributes.js';
export { HostingError, HostingErrorCode } from './errors.js';
