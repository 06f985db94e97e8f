import { ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { FailureType } from '../team/errors.js';
import type { Verdict } from '../team/verdict.js';
import type { GateSpec, PipelineStepSpec } from '../team/spec.js';
import type { Envelope } from '../protocol/envelope.js';
import type { RunResult } from '../protocol/messages.js';
import { fanOut } from './pipeline-fan-out.js';
import type { MemberResult } from './runtime/member-result.js';
import { renderPrompt, summarise, type PromptSection } from './runtime/prompt.js';
import { runTopology, type TeamRun } from './runtime/team-run.js';
import { isPatched } from './runtime/patches.js';

const { runCheck } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });
// A code check is cheap and deterministic: a local activity spares it a round trip through the server.
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

/**
 * Pipeline: steps run in order, each handed the previous step's validated output. A step is an
 * agent, a sub-team, or a parallel fan-out; it may have a gate (a validator agent or a code check)
 * that sends the work back with feedback a bounded number of times: the evaluator-optimizer loop.
 */
export async function pipeline(input: unknown): Promise<RunResult> {
  return runTopology(input, 'pipeline', async (team, topology) => {
    const steps = topology.steps;
    team.begin(stepName(steps[0]));
    let handoff: Handoff = { from: 'user', content: team.run.input };
    for (const [index, step] of steps.entries()) {
      handoff = await runStep(team, step, `step ${index + 1}/${steps.length}`, handoff, stepName(steps[index + 1]));
    }
    team.transcript.record({ from: handoff.from, to: 'user', kind: 'result', content: handoff.content });
    return handoff.content;
  });
}

/** What a step receives: the previous step's output, or the task from the user. */
type Handoff = Pick<Envelope, 'from' | 'content'>;

async function runStep(
  team: TeamRun,
  step: PipelineStepSpec,
  position: string,
  handoff: Handoff,
  next: string,
): Promise<Handoff> {
  const name = stepName(step);
  const gate = step.gate;
  let feedback: string | undefined;
  let gateRevisions = 0;
  let changeRequests = 0;

  for (let revision = 0; ; revision += 1) {
    team.transcript.doing(`${position}: ${name} is working${revision ? ` (revision ${revision})` : ''}`);
    const data: PromptSection[] = [];
    if (handoff.from !== 'user') data.push({ label: `Output of ${handoff.from}`, content: handoff.content });
    if (feedback) data.push({ label: 'Feedback on your previous attempt', content: feedback });
    const about = feedback
      ? `revise after ${feedback}`
      : handoff.from === 'user'
        ? `task: ${summarise(team.run.input)}`
        : `work on ${handoff.from}'s output: ${summarise(handoff.content)}`;
    const result = await perform(team, step, { data, about, handoff });
    // An optional step that failed for good is skipped: the work it was given goes on unchanged.
    if (result.skipped !== undefined) return handoff;
    const work = team.transcript.recordOutput(result, gate ? gateName(gate) : next, { revision });

    if (gate) {
      team.transcript.doing(`${position}: ${gateName(gate)} is reviewing ${name}'s work`);
      const verdict = await review(team, gate, work);
      // An optional reviewer that failed for good is skipped: the work goes on unreviewed (the result is flagged degraded).
      if (!verdict) return work;
      const approved = verdict.verdict.approved;
      const exhausted = !approved && gateRevisions >= gate.maxRevisions;
      team.transcript.record({
        from: gateName(gate),
        to: approved || exhausted ? next : name,
        kind: 'verdict',
        content: verdict.verdict,
        ...(verdict.usage ? { usage: verdict.usage, model: verdict.model } : {}),
        revision,
      });
      if (!approved && !exhausted) {
        gateRevisions += 1;
        feedback = `${gateName(gate)}: ${verdict.verdict.feedback}`;
        continue;
      }
      if (exhausted) {
        const warning = `${gateName(gate)} did not approve ${name}'s work after ${gateRevisions} revision(s): ${verdict.verdict.feedback}`;
        if (gate.onExhausted === 'fail') throw ApplicationFailure.nonRetryable(warning, FailureType.GateRejected);
        team.transcript.warnings.push(warning);
      }
    }

    const approval = step.approval;
    if (approval && (approval.when === 'always' || asksForApproval(work.content))) {
      const changes = await team.approve(approval, { from: work.from, content: work.content }, changeRequests);
      if (changes !== undefined) {
        changeRequests += 1;
        feedback = `the ${approval.gate} approver: ${changes}`;
        continue;
      }
    }
    return work;
  }
}

/** An agent's structured output can ask for a person's approval with `needsApproval: true`. */
function asksForApproval(content: unknown): boolean {
  return (
    typeof content === 'object' && content !== null && (content as { needsApproval?: unknown }).needsApproval === true
  );
}

function perform(
  team: TeamRun,
  step: PipelineStepSpec,
  context: { data: PromptSection[]; about: string; handoff: Handoff },
): Promise<MemberResult> {
  if ('parallel' in step)
    return fanOut(team, step.parallel, { task: team.task, data: context.data, about: context.about });
  const member = 'agent' in step ? step.agent : step.team;
  const instruction = step.instruction ?? `Act as the team's ${roleOf(team, member)}: do your part of the task.`;
  return team.members.call(member, renderPrompt({ instruction, task: team.task, data: context.data }), {
    about: context.about,
    skippable: true,
    ...(context.handoff.from !== 'user'
      ? { handoff: { from: context.handoff.from, content: context.handoff.content } }
      : {}),
  });
}

async function review(
  team: TeamRun,
  gate: GateSpec,
  work: Envelope,
): Promise<{ verdict: Verdict; usage?: Envelope['usage']; model?: string } | undefined> {
  if (gate.kind === 'check') {
    const check = isPatched('troupe-check-local-activity') ? local.runCheck : runCheck;
    return {
      verdict: await check({
        team: team.run.team.name,
        check: gate.check,
        output: work.content,
        input: team.run.input,
      }),
    };
  }
  const instruction =
    "Review the work against the team's task. Approve it if it is good enough to hand on; otherwise say exactly what to change.";
  const prompt = renderPrompt({
    instruction,
    task: team.task,
    data: [{ label: `Work by ${work.from} to review`, content: work.content }],
  });
  const result = await team.members.call(gate.agent, prompt, {
    about: `review ${work.from}'s output: ${summarise(work.content)}`,
    handoff: { from: work.from, content: work.content },
    reads: 'verdict',
    skippable: true,
  });
  if (result.skipped !== undefined) return undefined;
  return { verdict: result.output, usage: result.usage, ...(result.model ? { model: result.model } : {}) };
}

function stepName(step: PipelineStepSpec | undefined): string {
  if (!step) return 'user';
  if ('agent' in step) return step.agent;
  if ('team' in step) return step.team;
  return `parallel(${step.parallel.members.join(', ')})`;
}

function gateName(gate: GateSpec): string {
  return gate.kind === 'agent' ? gate.agent : `check:${gate.check}`;
}

function roleOf(team: TeamRun, member: string): string {
  return team.run.team.agents.find((a) => a.name === member)?.role ?? `sub-team ${member}`;
}
