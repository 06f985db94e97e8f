import {
  CODEC_TOKEN_VAR,
  CodecError,
  PAYLOAD_KEY_VAR,
  codecTokenFromEnv,
  describePayloadEncryption,
  payloadDataConverter,
  startCodecServer,
} from '../../codec/index.js';
import { HostingError } from '../../hosting/errors.js';
import { untilInterrupted } from '../local-stack.js';

/** `troupe codec-server`: decrypts payloads for the Temporal UI (and `temporal --codec-endpoint`), until Ctrl-C. */
export async function codecServerCommand(options: { port: number; host: string; origin: string[] }): Promise<number> {
  const codec = payloadDataConverter().payloadCodecs?.[0];
  if (!codec)
    throw new CodecError(
      'INVALID_CODEC_SERVER',
      `troupe codec-server needs the payload key: set ${PAYLOAD_KEY_VAR} (and any old keys) as the workers have it.`,
    );
  const token = codecTokenFromEnv();
  if (!token)
    throw new CodecError(
      'INVALID_CODEC_SERVER',
      `troupe codec-server needs a token callers must present: set ${CODEC_TOKEN_VAR}, e.g. to the output of \`openssl rand -hex 32\`.`,
    );
  for (const origin of options.origin) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new CodecError(
        'INVALID_CODEC_SERVER',
        `--origin ${origin} is not a web origin: give the Temporal UI's scheme, host and port only, e.g. http://localhost:8233.`,
      );
    }
  }
  const server = await startCodecServer({
    codec,
    token,
    origins: options.origin,
    port: options.port,
    host: options.host,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new HostingError('PORT_IN_USE', `Port ${options.port} is already in use: pick another with --port.`);
    throw error;
  });
  console.log(
    `Codec server at ${server.url} for the Temporal UI at ${options.origin.join(', ')}. ${describePayloadEncryption()}`,
  );
  console.log(
    `Temporal UI: codec endpoint ${server.url}/<${CODEC_TOKEN_VAR}> (e.g. temporal server start-dev --ui-codec-endpoint, or TEMPORAL_CODEC_ENDPOINT for the UI server).`,
  );
  console.log(`Temporal CLI: --codec-endpoint ${server.url} --codec-auth "Bearer $${CODEC_TOKEN_VAR}".`);
  console.log('Press Ctrl-C to stop.');
  await untilInterrupted();
  await server.close();
  return 0;
}
