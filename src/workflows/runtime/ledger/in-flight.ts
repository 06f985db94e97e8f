import type { Allowance } from './allowance.js';

/**
 * A caller ended something the ledger never counted as started: a call released or charged twice,
 * or a sub-team settled that was never handed an allowance. It would take another call's place in
 * the count, so the ledger stops the run's code here instead of counting wrong.
 */
export class LedgerMiscount extends Error {
  constructor(what: string) {
    super(`ledger miscount: ${what}`);
    this.name = 'LedgerMiscount';
  }
}

/**
 * Model calls in flight and sub-teams at work. Each model call counts one call against the call
 * cap until it is charged or released; each sub-team its whole allowance of calls until it is
 * settled. Every end must match a start: an unmatched one throws LedgerMiscount.
 */
export class InFlight {
  private modelCalls = 0;
  /** The sub-teams at work, by the allowance handed to each, with the calls it reserves. */
  private readonly subteams = new Map<Allowance, number>();

  /** Calls reserved: one per model call, a sub-team's whole allowance of calls. */
  get reserved(): number {
    let calls = this.modelCalls;
    for (const reserved of this.subteams.values()) calls += reserved;
    return calls;
  }

  /** Model calls and sub-teams in flight. */
  get outstanding(): number {
    return this.modelCalls + this.subteams.size;
  }

  callStarted(): void {
    this.modelCalls += 1;
  }

  callEnded(): void {
    if (this.modelCalls === 0)
      throw new LedgerMiscount('a model call ended (charged or released) that ensureRoom did not make room for');
    this.modelCalls -= 1;
  }

  handedDown(allowance: Allowance, calls: number): void {
    this.subteams.set(allowance, calls);
  }

  /** Ends a sub-team's work: the calls its allowance reserved. */
  settled(allowance: Allowance): number {
    const calls = this.subteams.get(allowance);
    if (calls === undefined)
      throw new LedgerMiscount(
        'a sub-team was settled with an allowance handDown did not hand down (or settled twice)',
      );
    this.subteams.delete(allowance);
    return calls;
  }
}
