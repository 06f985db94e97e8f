export {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  isEncrypted,
  type PayloadKey,
} from './aes-gcm-codec.js';
export {
  OLD_PAYLOAD_KEYS_VAR,
  PAYLOAD_KEY_VAR,
  parsePayloadKey,
  payloadKeysFromEnv,
  type PayloadKeys,
} from './payload-keys.js';
export { ENCODED_FAILURES_CONVERTER_PATH, describePayloadEncryption, payloadDataConverter } from './data-converter.js';
export { decodePayloadsIn } from './decode-history.js';
export { CODEC_TOKEN_VAR, codecTokenFromEnv } from './codec-token.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './codec-server.js';
export { DECISION_SECRET_ENV, decisionHmac } from './decision-signature.js';
export { CodecError, CodecErrorCode } from './errors.js';
