import { existsSync, readFileSync } from 'node:fs';
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
export type FileExtension = '.json' | '.sealed';

export interface FileFormat {
  /** Sealed files are not JSON: their own extension keeps the two apart. */
  readonly extension: FileExtension;
  write(value: unknown): Promise<string | Uint8Array>;
  /** The value in `bytes`, read as a file of `extension` says; rejects when they do not parse or do not decrypt. */
  read(bytes: Uint8Array, extension?: FileExtension): Promise<unknown>;
}

export function fileFormat(codecs: readonly PayloadCodec[] = []): FileFormat {
  const readJson = (bytes: Uint8Array) =>
    new Promise((resolve) => resolve(JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown));
  const readSealed = async (bytes: Uint8Array) => {
    let payloads: Payload[] = [ProtoPayload.decode(bytes)];
    // Codecs decode in the reverse of the order they encode; without them a sealed file does not decode.
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    return defaultPayloadConverter.fromPayload(payloads[0] ?? {});
  };
  const read = (bytes: Uint8Array, extension: FileExtension) =>
    extension === '.sealed' ? readSealed(bytes) : readJson(bytes);
  if (!codecs.length) {
    return {
      extension: '.json',
      write: (value) => new Promise((resolve) => resolve(JSON.stringify(value))),
      read: (bytes, extension = '.json') => read(bytes, extension),
    };
  }
  return {
    extension: '.sealed',
    async write(value) {
      let payloads = [defaultPayloadConverter.toPayload(value)];
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return ProtoPayload.encode(payloads[0] ?? {}).finish();
    },
    read: (bytes, extension = '.sealed') => read(bytes, extension),
  };
}

/**
 * The file at `base` (a path without extension) in this format's extension, else in the other:
 * one written before encryption was turned on (or after it was turned off) still reads, so a
 * worker restarted with a key does not fail the runs it takes over. Undefined when neither exists.
 */
export function readStoredFile(
  base: string,
  format: FileFormat,
): { bytes: Buffer; extension: FileExtension } | undefined {
  for (const extension of [format.extension, format.extension === '.json' ? '.sealed' : '.json'] as const) {
    // Most lookups miss (a call's first attempt): a check that throws nothing is cheaper than ENOENT.
    if (!existsSync(`${base}${extension}`)) continue;
    try {
      return { bytes: readFileSync(`${base}${extension}`), extension };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // ENOENT: removed between the check and the read
    }
  }
  return undefined;
}
