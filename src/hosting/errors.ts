import { TroupeError } from '../team/errors.js';

/** The codes of the errors hosting throws: finding, installing and starting Temporal, and reaching a cluster. */
export const HostingErrorCode = [
  'EMBEDDED_SERVER_FAILED',
  'INVALID_PORT',
  'PORT_IN_USE',
  'TEMPORAL_BINARY_NOT_FOUND',
  'TEMPORAL_INSTALL_FAILED',
  'TEMPORAL_UNREACHABLE',
] as const;
/** One of the codes of HostingError, the stable names to match on. */
export type HostingErrorCode = (typeof HostingErrorCode)[number];

/** Temporal cannot be found, installed, started or reached (a binary missing, a port taken, a cluster down). */
export class HostingError extends TroupeError {
  static override readonly codes: readonly string[] = HostingErrorCode;
  declare readonly code: HostingErrorCode;

  constructor(code: HostingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'HostingError';
  }
}
