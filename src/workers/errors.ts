import { TroupeError } from '../team/errors.js';

/** The codes of the errors a worker throws while it is built, started or replays a history. */
export const WorkerErrorCode = [
  'DUPLICATE_SDK',
  'EMPTY_HISTORY',
  'HISTORY_NOT_READ',
  'INVALID_API_KEY',
  'INVALID_METRICS_ADDRESS',
  'INVALID_OFFLINE_TOKEN_MS',
  'INVALID_WORKER_LIMIT',
  'MCP_SDK_MISSING',
  'MCP_SERVER_CONFLICT',
  'MCP_SERVER_UNAVAILABLE',
  'MCP_TOOL_MISSING',
  'MODEL_API_UNREACHABLE',
  'NOT_A_HISTORY',
  'NO_TEAMS_MODULE',
  'OFFLINE_SCRIPT_MISSING',
  'TEAMS_MODULE_INVALID',
  'TEAMS_MODULE_NOT_LOADED',
  'TRACING_PACKAGES_MISSING',
  'TSX_MISSING',
] as const;
/** One of the codes of WorkerError, the stable names to match on. */
export type WorkerErrorCode = (typeof WorkerErrorCode)[number];

/** A worker that cannot start or serve as asked: its teams module, limits, model access, MCP servers, telemetry, or a history to replay. */
export class WorkerError extends TroupeError {
  static override readonly codes: readonly string[] = WorkerErrorCode;
  declare readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WorkerError';
  }
}
