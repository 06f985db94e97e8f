import { CodecError } from './errors.js';

export const CODEC_TOKEN_VAR = 'TROUPE_CODEC_TOKEN';

/** The codec server's token from TROUPE_CODEC_TOKEN; undefined when unset. */
export function codecTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env[CODEC_TOKEN_VAR]?.trim();
  if (!token) return undefined;
  if (token.length < 16 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new CodecError(
      'INVALID_CODEC_SERVER',
      `${CODEC_TOKEN_VAR} must be at least 16 printable characters without spaces: make one with \`openssl rand -hex 32\`.`,
    );
  }
  return token;
}
