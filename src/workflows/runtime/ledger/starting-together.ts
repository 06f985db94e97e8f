/**
 * Members started at once that have not begun yet. A sub-team handed its allowance while others
 * wait to begin beside it leaves them room. Two kinds of group start together: the members of a
 * fan-out (`fanOut`), and the members an agent delegates to in one turn plus that agent's own next
 * turn (`delegating`). Each member stops waiting when it begins (`begun`).
 *
 * Two rules read the group, one on each side of 'troupe-exact-caps', and they count differently,
 * so both counts are kept (one count for both would change what runs recorded before the patch
 * hand down):
 * - since the patch (`shareOfCalls`, `sharing`): a call is kept for each agent waiting, the calls
 *   left are shared with the sub-teams waiting, and tokens and USD with every member waiting.
 *   Both kinds of group count, by kind (agents apart from sub-teams).
 * - before it (`callsBesideFanOut`): a call is kept for each fan-out member waiting, agent or
 *   sub-team alike, and a sub-team takes all the rest. Only fan-outs count: a delegation did not.
 *
 * The counts are of the whole run, not of each group: a member that begins counts down whichever
 * group is waiting (see `begun`).
 */
export class StartingTogether {
  /** Agents (a call each) and sub-teams (a share each) waiting to begin, of either kind of group. */
  private agents = 0;
  private subteams = 0;
  /** Fan-out members waiting to begin, agents and sub-teams alike: the count before 'troupe-exact-caps'. */
  private fannedOut = 0;

  /** `count` members of a fan-out are about to start, `subteams` of them sub-teams. */
  fanOut(count: number, subteams: number): void {
    this.fannedOut += count;
    this.delegating(count - subteams, subteams);
  }

  /** An agent delegates to members in one turn: `agents` includes its own next turn. */
  delegating(agents: number, subteams: number): void {
    this.agents += agents;
    this.subteams += subteams;
  }

  /**
   * A member begins. The clamps at 0 guard the common path: a member called on its own (a pipeline
   * step, a supervisor's pick, a delegation in a turn with no sub-team) begins too, and was never
   * counted. They also hide a miscount: a member called on its own while a delegating agent's next
   * turn waits takes that turn's count, and the turn's own `begun` then finds nothing to take.
   */
  begun(subteam: boolean): void {
    this.fannedOut = Math.max(0, this.fannedOut - 1);
    if (subteam) this.subteams = Math.max(0, this.subteams - 1);
    else this.agents = Math.max(0, this.agents - 1);
  }

  /** Members sharing tokens and USD with a sub-team starting now: itself and every member waiting ('troupe-exact-caps'). */
  get sharing(): number {
    return 1 + this.subteams + this.agents;
  }

  /**
   * Of `left` calls, what a sub-team starting now may make ('troupe-exact-caps'): a call kept for
   * each agent waiting, the rest shared with the sub-teams waiting. 0 when more agents wait than
   * calls are left (the clamp's real path).
   */
  shareOfCalls(left: number): number {
    return Math.max(0, Math.floor((left - this.agents) / (1 + this.subteams)));
  }

  /**
   * Of `left` calls, what a sub-team starting now may make before 'troupe-exact-caps': a call kept
   * for each fan-out member waiting once calls in flight count (`counted`), all the rest. 0 when
   * more members wait than calls are left (the clamp's real path).
   */
  callsBesideFanOut(left: number, counted: boolean): number {
    return Math.max(0, left - (counted ? this.fannedOut : 0));
  }
}
