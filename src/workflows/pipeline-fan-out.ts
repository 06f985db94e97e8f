import type { ParallelSpec } from '../team/spec.js';
import { ZERO_USAGE, addUsage } from '../protocol/usage.js';
import type { MemberResult } from './runtime/member-result.js';
import { renderPrompt, type PromptSection } from './runtime/prompt.js';
import type { TeamRun } from './runtime/team-run.js';
import { majority } from './runtime/vote.js';

/**
 * Fan-out/fan-in, a step any team can use: the members work at once (their calls overlap), and
 * their outputs come back in member order, so the merge is deterministic. `sections` merges them
 * into one object keyed by member; `vote` keeps the majority answer.
 */
export async function fanOut(
  team: TeamRun,
  spec: ParallelSpec,
  context: { task: unknown; data: PromptSection[]; about: string },
): Promise<MemberResult> {
  team.ledger.startingTogether(
    spec.members.length,
    spec.members.filter((member) => team.members.isSubteam(member)).length,
  );
  const results = await Promise.all(
    spec.members.map((member, i) => {
      const instruction =
        spec.instructions?.[i] ??
        (spec.mode === 'vote'
          ? 'Answer the task; your answer is compared with independent answers.'
          : 'Do your part of the task.');
      return team.members.call(member, renderPrompt({ instruction, task: context.task, data: context.data }), {
        about: context.about,
        skippable: true,
      });
    }),
  );
  // Optional members that failed for good are left out of the merge (the result is flagged degraded).
  const kept = results
    .map((result, i) => ({ result, member: spec.members[i] }))
    .filter(({ result }) => result.skipped === undefined);
  for (const { result } of kept) team.transcript.recordOutput(result, 'fan-in');
  const from = `parallel(${spec.members.join(', ')})`;
  const usage = results.reduce((sum, r) => addUsage(sum, r.usage), ZERO_USAGE);
  if (spec.mode === 'sections') {
    return { from, output: Object.fromEntries(kept.map(({ result, member }) => [member, result.output])), usage };
  }
  const vote = majority(kept.map(({ result }) => result.output));
  return { from: `${from}, majority ${vote.votes}/${vote.of}`, output: vote.winner, usage };
}
