/** Text as people read it in the UI, the transcript and the history: shared by every layer. */

export function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** A one-line, UI-sized description of a prompt, an output or a tool result. */
export function summarise(value: unknown, max = 80): string {
  const oneLine = asText(value).replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
