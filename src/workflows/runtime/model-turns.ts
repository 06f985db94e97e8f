/**
 * Counts each agent's model turns in a run, across continue-as-new. A turn's number says where the
 * agent's work stands in a way every worker sees alike (the offline scripts answer by it), unlike a
 * count kept in a worker's memory, which starts over when the worker does.
 */
export class ModelTurns {
  private readonly counts: Map<string, number>;

  constructor(carried: Record<string, number> | undefined) {
    this.counts = new Map(Object.entries(carried ?? {}));
  }

  /** The number of the agent's next turn (1 for its first). */
  next(agent: string): number {
    const turn = (this.counts.get(agent) ?? 0) + 1;
    this.counts.set(agent, turn);
    return turn;
  }

  /** What a continue-as-new carries; nothing when no agent was called. */
  carry(): { modelTurns?: Record<string, number> } {
    return this.counts.size ? { modelTurns: Object.fromEntries(this.counts) } : {};
  }
}
