import { TroupeError } from '../team/errors.js';

/** The codes of the errors the `troupe` command throws on bad flags, files and targets (it exits 2 on each). */
export const CliErrorCode = [
  'DETACH_NEEDS_CLUSTER',
  'INIT_INSTALL_FAILED',
  'INIT_NOT_EMPTY',
  'INPUT_NOT_JSON',
  'INPUT_NOT_READ',
  'INPUT_NOT_UTF8',
  'INPUT_TOO_LARGE',
  'INVALID_DEPLOYMENT',
  'INVALID_FORMAT',
  'INVALID_PRICES',
  'INVALID_PROJECT_NAME',
  'INVALID_QUERY',
  'NO_CLUSTER',
  'RUN_ALREADY_RUNNING',
  'RUN_NOT_FOUND',
] as const;
/** One of the codes of CliError, the stable names to match on. */
export type CliErrorCode = (typeof CliErrorCode)[number];

/** Bad input to the `troupe` command: a flag, an input file, a project folder, a run that is not there. */
export class CliError extends TroupeError {
  static override readonly codes: readonly string[] = CliErrorCode;
  declare readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CliError';
  }
}
