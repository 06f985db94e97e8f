import { TroupeError } from '../team/errors.js';

/** The codes of the errors the payload codec throws: its keys, its server's settings, payloads that do not decrypt. */
export const CodecErrorCode = [
  'INVALID_CODEC_SERVER',
  'INVALID_PAYLOAD_KEY',
  'PAYLOAD_KEY_UNKNOWN',
  'PAYLOAD_NOT_DECRYPTED',
] as const;
/** One of the codes of CodecError, the stable names to match on. */
export type CodecErrorCode = (typeof CodecErrorCode)[number];

/** A payload key or codec server setting that is not usable, or a payload this worker's keys cannot decrypt. */
export class CodecError extends TroupeError {
  static override readonly codes: readonly string[] = CodecErrorCode;
  declare readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CodecError';
  }
}
