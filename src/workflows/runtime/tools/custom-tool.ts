import { proxyActivities } from '@temporalio/workflow';
import type { Activities, ToolOutcome } from '../../../activities/index.js';
import type { AgentSpec } from '../../../team/spec.js';
import type { ToolSpec } from '../../../team/tool.js';
import type { RunSpec } from '../../../protocol/run-spec.js';
import { toolActivityOptions } from '../agent-options.js';
import { summarise } from '../prompt.js';
import type { ToolCall, ToolKind } from './tool-kind.js';
import { failedCall } from './tool-outcome.js';

/** The agent's own tools (defineTool): each call is a `runTool` activity with the tool's timeout and retries. */
export class CustomTools implements ToolKind {
  constructor(private readonly run: RunSpec) {}

  has(agent: AgentSpec): boolean {
    return agent.tools.length > 0;
  }

  owns(agent: AgentSpec, name: string): boolean {
    return agent.tools.some((t) => t.name === name);
  }

  names(agent: AgentSpec): string[] {
    return agent.tools.map((t) => t.name);
  }

  /** Their definitions are part of the agent's spec, which the estimate counts already. */
  estimate(): number {
    return 0;
  }

  approval(agent: AgentSpec, use: ToolCall['use']) {
    const spec = this.spec(agent, use.name);
    if (!spec.approval) return undefined;
    return {
      spec: spec.approval,
      asking: { team: this.run.team.name, agent: agent.name, tool: use.name, input: use.input },
      onRefused: spec.onRefused,
    };
  }

  async dispatch({ agent, use }: ToolCall): Promise<ToolOutcome> {
    const { runTool } = proxyActivities<Activities>(
      toolActivityOptions(this.spec(agent, use.name), agent, this.run.team),
    );
    try {
      return await runTool.executeWithOptions({ summary: `${agent.name} → ${use.name}(${summarise(use.input, 80)})` }, [
        { team: this.run.team.name, agent: agent.name, tool: use.name, toolUseId: use.id, input: use.input },
      ]);
    } catch (error) {
      return failedCall(error, use, `tool "${use.name}"`);
    }
  }

  private spec(agent: AgentSpec, name: string): ToolSpec {
    return agent.tools.find((t) => t.name === name) as ToolSpec;
  }
}
