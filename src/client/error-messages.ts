/** An error's message with its causes' ("Failed to query Workflow" alone says nothing of why). */
export function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.message);
  return parts.length ? parts.join(': ') : String(error);
}
