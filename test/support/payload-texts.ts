import type { Payload } from '@temporalio/common';

/** The decoded text of every payload in a history, in proto or JSON form (where data is base64). */
export function payloadTexts(node: unknown, found: string[] = []): string[] {
  if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return found;
  const payload = node as Payload | { metadata?: Record<string, string>; data?: string };
  if (payload.metadata && typeof payload.metadata === 'object' && 'encoding' in payload.metadata) {
    const text = (value: unknown) =>
      (typeof value === 'string'
        ? Buffer.from(value, 'base64')
        : Buffer.from((value as Uint8Array | undefined) ?? [])
      ).toString('utf8');
    found.push([text(payload.data), ...Object.values(payload.metadata).map(text)].join('\n'));
    return found;
  }
  for (const value of Object.values(node)) payloadTexts(value, found);
  return found;
}
