/**
 * The majority answer: answers are compared by their canonical form (trimmed, case-folded text;
 * JSON with sorted keys), ties go to the answer given first, so the outcome is deterministic.
 */
export function majority<T>(answers: readonly T[]): { winner: T | undefined; votes: number; of: number } {
  const counts = new Map<string, { answer: T; votes: number }>();
  for (const answer of answers) {
    const key = canonical(answer);
    const entry = counts.get(key);
    if (entry) entry.votes += 1;
    else counts.set(key, { answer, votes: 1 });
  }
  let best: { answer: T; votes: number } | undefined;
  for (const entry of counts.values()) if (!best || entry.votes > best.votes) best = entry;
  return { winner: best?.answer, votes: best?.votes ?? 0, of: answers.length };
}

export function canonical(value: unknown): string {
  if (typeof value === 'string') return value.trim().toLowerCase();
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
