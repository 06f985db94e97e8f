/** An error's message with its causes, where fetch keeps the useful part (`fetch failed ← connect ECONNREFUSED 127.0.0.1:3001`). */
export function describeCauses(error: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && e !== null && depth < 4;
    e = (e as { cause?: unknown }).cause, depth += 1
  ) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    if (message && !parts.includes(message)) parts.push(message);
  }
  return parts.join(' ← ') || 'unknown error';
}
