import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';

/**
 * Decodes, in place, every payload inside a message read from Temporal (a workflow history, with
 * its inputs, results, memos, summaries and failure details), through the codecs the client was
 * made with. A history read raw from the server holds them encoded.
 */
export async function decodePayloadsIn<T>(message: T, codecs: readonly PayloadCodec[]): Promise<T> {
  if (codecs.length) await visit(message, codecs);
  return message;
}

async function visit(node: unknown, codecs: readonly PayloadCodec[]): Promise<void> {
  if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return;
  const fields = node as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (isPayload(value)) fields[name] = await decode(value, codecs);
    else await visit(value, codecs);
  }
}

async function decode(payload: Payload, codecs: readonly PayloadCodec[]): Promise<Payload> {
  let payloads = [payload];
  // Codecs decode in the reverse of the order they encode.
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  return payloads[0] ?? payload;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const metadata = (value as Payload).metadata;
  return typeof metadata === 'object' && metadata !== null && ArrayBuffer.isView(metadata[METADATA_ENCODING_KEY]);
}
