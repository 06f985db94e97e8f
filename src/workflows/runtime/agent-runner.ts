import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { AgentCallResult, Activities } from '../../activities/index.js';
import { FailureType, type AgentSpec, type RunSpec } from '../../team/index.js';
import { summarise } from './prompt.js';
import type { Transcript } from './transcript.js';

export interface AgentCall extends AgentCallResult {
  /** The agent that produced the result: the one asked, or its fallback. */
  agent: string;
}

/**
 * Calls agents for a topology: one activity per call, with the agent's own timeouts and retry
 * policy, a readable summary in the Temporal UI, bounded repair of invalid structured output, and
 * the agent's fallback when it fails for good. Every call's tokens go to the transcript's ledger.
 */
export class AgentRunner {
  private readonly agents: ReadonlyMap<string, AgentSpec>;

  constructor(
    private readonly run: RunSpec,
    private readonly transcript: Transcript,
  ) {
    this.agents = new Map(run.team.agents.map((agent) => [agent.name, agent]));
  }

  /**
   * @param about what the agent is working on, in a few words: it becomes the activity's summary
   *   in the Temporal UI, so each call is recognisable without opening its payload.
   */
  async call(agentName: string, prompt: string, about: string): Promise<AgentCall> {
    const agent = this.agent(agentName);
    try {
      return await this.callWithRepair(agent, prompt, about);
    } catch (error) {
      if (agent.fallback === undefined || isCancellation(error)) throw error;
      return await this.callWithRepair(this.agent(agent.fallback), prompt, `(fallback for ${agent.name}) ${about}`);
    }
  }

  private async callWithRepair(agent: AgentSpec, prompt: string, about: string): Promise<AgentCall> {
    const { runAgent } = proxyActivities<Activities>({
      startToCloseTimeout: agent.timeout,
      heartbeatTimeout: agent.heartbeatTimeout,
      retry: { ...agent.retry },
    });
    let repair: { previousText: string; problem: string } | undefined;
    for (let repairs = 0; ; repairs += 1) {
      const repairNote = repair ? `[repair ${repairs}] ` : '';
      try {
        const result = await runAgent.executeWithOptions(
          { summary: `${agent.name} (${agent.role}, ${agent.model}): ${repairNote}${summarise(about, 100)}` },
          [{ team: this.run.team.name, agent, prompt, ...(repair ? { repair } : {}) }],
        );
        this.transcript.charge(result.usage);
        return { ...result, agent: agent.name };
      } catch (error) {
        const invalid = invalidOutput(error);
        if (!invalid) throw error;
        this.transcript.charge(invalid.usage);
        if (repairs >= agent.maxRepairs) {
          throw ApplicationFailure.create({
            message: `agent "${agent.name}" did not produce valid structured output after ${repairs} repair attempt(s): ${invalid.problem}`,
            type: FailureType.InvalidStructuredOutput,
            nonRetryable: true,
            details: [{ agent: agent.name, text: invalid.text }],
          });
        }
        repair = { previousText: invalid.text, problem: invalid.problem };
      }
    }
  }

  private agent(name: string): AgentSpec {
    const agent = this.agents.get(name);
    if (!agent) {
      throw ApplicationFailure.nonRetryable(`team "${this.run.team.name}" has no agent "${name}"`, FailureType.InvalidTeamSpec);
    }
    return agent;
  }
}

interface InvalidOutput {
  text: string;
  problem: string;
  usage: AgentCallResult['usage'];
}

function invalidOutput(error: unknown): InvalidOutput | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.InvalidStructuredOutput) return undefined;
  return cause.details?.[0] as InvalidOutput | undefined;
}
