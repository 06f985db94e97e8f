import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS: its namespace comes through the default export under Node's ESM.
const { Payload: ProtoPayload } = proto.temporal.api.common.v1;

/**
 * How a worker's file stores (the answer journal, the payload store) keep a value on disk. Without
 * codecs: JSON. With the worker's payload codecs (TROUPE_PAYLOAD_KEY): the value as a Temporal
 * payload passed through them, so it is encrypted exactly as history's payloads are, with the same
 * key, and still opens after the key is rotated; written as protobuf binary in a `.sealed` file.
 */
export interface FileFormat {
  /** Sealed files are not JSON: their own extension keeps the two apart. */
  readonly extension: '.json' | '.sealed';
  write(value: unknown): Promise<string | Uint8Array>;
  /** The value in `bytes`; rejects when they do not parse or do not decrypt. */
  read(bytes: Uint8Array): Promise<unknown>;
}

export function fileFormat(codecs: readonly PayloadCodec[] = []): FileFormat {
  if (!codecs.length) {
    return {
      extension: '.json',
      write: (value) => new Promise((resolve) => resolve(JSON.stringify(value))),
      read: (bytes) => new Promise((resolve) => resolve(JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown)),
    };
  }
  return {
    extension: '.sealed',
    async write(value) {
      let payloads = [defaultPayloadConverter.toPayload(value)];
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return ProtoPayload.encode(payloads[0] ?? {}).finish();
    },
    async read(bytes) {
      let payloads: Payload[] = [ProtoPayload.decode(bytes)];
      // Codecs decode in the reverse of the order they encode.
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      return defaultPayloadConverter.fromPayload(payloads[0] ?? {});
    },
  };
}
