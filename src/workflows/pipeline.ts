import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { FailureType, VerdictSchema, type Envelope, type GateSpec, type PipelineStepSpec, type RunSpec, type Verdict } from '../team/index.js';
import type { RunResult } from './messages.js';
import { AgentRunner } from './runtime/agent-runner.js';
import { renderReview, renderTask, summarise } from './runtime/prompt.js';
import { parseRunSpec } from './runtime/run-spec.js';
import { Transcript } from './runtime/transcript.js';

const { runCheck } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

/**
 * Pipeline: steps run in order, each handed the previous step's validated output. A step may have
 * a gate (a validator agent or a code check) that sends the work back with feedback, a bounded
 * number of times: the evaluator-optimizer loop.
 */
export async function pipeline(input: RunSpec): Promise<RunResult> {
  const run = parseRunSpec(input);
  if (run.team.topology.kind !== 'pipeline') {
    throw ApplicationFailure.nonRetryable(`team "${run.team.name}" is not a pipeline`, FailureType.InvalidTeamSpec);
  }
  const steps = run.team.topology.steps;
  const transcript = new Transcript(run);
  const agents = new AgentRunner(run, transcript);

  let handoff = transcript.record({ from: 'user', to: steps[0]?.agent ?? 'user', kind: 'task', content: run.input });
  for (const [index, step] of steps.entries()) {
    const next = steps[index + 1]?.agent ?? 'user';
    handoff = await runStep({ run, transcript, agents, step, index, handoff, next });
  }
  transcript.record({ from: handoff.from, to: 'user', kind: 'result', content: handoff.content });
  transcript.doing('done');
  return transcript.result(handoff.content);
}

interface StepContext {
  run: RunSpec;
  transcript: Transcript;
  agents: AgentRunner;
  step: PipelineStepSpec;
  index: number;
  handoff: Envelope;
  next: string;
}

async function runStep({ run, transcript, agents, step, index, handoff, next }: StepContext): Promise<Envelope> {
  const position = `step ${index + 1}/${run.team.topology.steps.length}`;
  const instruction = step.instruction ?? `Act as the team's ${roleOf(run, step.agent)}: do your part of the task.`;
  const gate = step.gate;
  let feedback: string | undefined;

  for (let revision = 0; ; revision += 1) {
    transcript.doing(`${position}: ${step.agent} is working${revision ? ` (revision ${revision})` : ''}`);
    const prompt = renderTask({ instruction, task: run.input, handoff, ...(feedback ? { feedback } : {}) });
    const about = feedback
      ? `revise after ${gate ? gateName(gate) : 'review'}: ${feedback}`
      : handoff.from === 'user'
        ? `task: ${summarise(run.input)}`
        : `work on ${handoff.from}'s output: ${summarise(handoff.content)}`;
    const result = await agents.call(step.agent, prompt, about);
    const work = transcript.record({
      from: result.agent,
      to: gate ? gateName(gate) : next,
      kind: 'output',
      content: result.output,
      usage: result.usage,
      model: result.model,
      revision,
    });
    if (!gate) return work;

    transcript.doing(`${position}: ${gateName(gate)} is reviewing ${step.agent}'s work`);
    const verdict = await review(run, agents, gate, work);
    const approved = verdict.verdict.approved;
    const exhausted = !approved && revision >= gate.maxRevisions;
    transcript.record({
      from: gateName(gate),
      to: approved || exhausted ? next : step.agent,
      kind: 'verdict',
      content: verdict.verdict,
      ...(verdict.usage ? { usage: verdict.usage, model: verdict.model } : {}),
      revision,
    });
    if (approved) return { ...work, to: next };
    if (exhausted) {
      const warning = `${gateName(gate)} did not approve ${step.agent}'s work after ${revision} revision(s): ${verdict.verdict.feedback}`;
      if (gate.onExhausted === 'fail') throw ApplicationFailure.nonRetryable(warning, FailureType.GateRejected);
      transcript.warnings.push(warning);
      return { ...work, to: next };
    }
    feedback = verdict.verdict.feedback;
  }
}

async function review(
  run: RunSpec,
  agents: AgentRunner,
  gate: GateSpec,
  work: Envelope,
): Promise<{ verdict: Verdict; usage?: Envelope['usage']; model?: string }> {
  if (gate.kind === 'check') {
    return { verdict: await runCheck({ team: run.team.name, check: gate.check, output: work.content, input: run.input }) };
  }
  const instruction = "Review the work against the team's task. Approve it if it is good enough to hand on; otherwise say exactly what to change.";
  const result = await agents.call(gate.agent, renderReview({ instruction, task: run.input, work }), `review ${work.from}'s output: ${summarise(work.content)}`);
  return { verdict: VerdictSchema.parse(result.output), usage: result.usage, model: result.model };
}

function gateName(gate: GateSpec): string {
  return gate.kind === 'agent' ? gate.agent : `check:${gate.check}`;
}

function roleOf(run: RunSpec, agent: string): string {
  return run.team.agents.find((a) => a.name === agent)?.role ?? agent;
}
