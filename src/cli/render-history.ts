import { summarise } from '../protocol/text.js';
import { formatUsage, serverToolUses } from './render.js';
import type { HistoryStep, RunHistory } from '../client/history/read-history.js';

/** The audit trail as text: one line a step, sub-teams indented under the step that started them. */
export function historyAsText(run: RunHistory, indent = ''): string {
  const lines = [
    `${indent}${run.team ?? run.workflowId} (${run.workflowType}) · ${run.workflowId} · started ${run.startedAt}`,
  ];
  for (const step of run.steps) {
    const at = step.at.slice(11, 19);
    lines.push(`${indent}  ${at}  ${stepLine(step)}`);
    if (step.kind === 'child' && step.run) lines.push(historyAsText(step.run, `${indent}    `));
  }
  lines.push(`${indent}  ${formatUsage(run.usage, run.agentCalls, run.costUsd)}`);
  return lines.join('\n');
}

function stepLine(step: HistoryStep): string {
  switch (step.kind) {
    case 'agent': {
      const tokens = step.usage
        ? `, ${step.usage.inputTokens}→${step.usage.outputTokens} tokens (cache ${step.usage.cacheReadTokens} read, ${step.usage.cacheWriteTokens} written)${serverToolUses(step.usage)}`
        : '';
      const failure = step.failure
        ? `  FAILED ${step.failure.type ?? ''}: ${summarise(step.failure.message, 100)}`
        : '';
      return `${step.agent} (${step.role}, ${step.model})  ${step.attempts} attempt(s), ${seconds(step.durationMs)}${tokens}: ${summarise(step.summary.replace(/^[^:]*: /, ''), 90)}${failure}`;
    }
    case 'tool':
      return `${step.agent} → ${step.tool}(${summarise(step.input, 60)})  ${step.attempts} attempt(s), ${seconds(step.durationMs)}${step.isError ? '  ERROR' : ''}: ${summarise(step.result ?? '', 90)}`;
    case 'activity':
      return `${step.activity}  ${step.attempts} attempt(s), ${seconds(step.durationMs)}${step.failure ? `  FAILED ${step.failure.type ?? ''}: ${step.failure.message}` : ''}`;
    case 'child':
      return `sub-team ${step.workflowId} (${step.workflowType})${step.run ? '' : ' (history not available)'}`;
    case 'decision': {
      const d = step.decision as
        | { by?: string; decision?: string; gate?: string; comment?: string; raise?: unknown; signature?: string }
        | undefined;
      const extra = `${d?.raise ? ` raising the budget to ${JSON.stringify(d.raise)}` : ''}${d?.signature ? ' (signed)' : ''}`;
      const what = `${d?.decision ?? '?'}${d?.gate ? ` on ${d.gate}` : ''} by ${d?.by ?? '?'} via ${step.via}${extra}${d?.comment ? `: "${d.comment}"` : ''}`;
      return step.refused ? `decision REFUSED (${what}): ${step.refused}` : `decision ${what}`;
    }
    case 'notice':
      return `${step.notice === 'degraded' ? 'DEGRADED' : step.notice.toUpperCase()}: ${step.detail}`;
    case 'end':
      return `${step.status}${step.detail ? `: ${step.detail}` : ''}`;
  }
}

/** The audit trail as a Mermaid sequence diagram: the run, its agents, sub-teams and the people deciding. */
export function historyAsMermaid(run: RunHistory): string {
  const lines = ['sequenceDiagram'];
  const participants = new Set<string>();
  const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
  const participant = (name: string, kind = 'participant') => {
    if (participants.has(name)) return id(name);
    participants.add(name);
    lines.push(`  ${kind} ${id(name)} as ${name}`);
    return id(name);
  };
  const text = (value: string) => summarise(value, 60).replace(/[;#:]/g, ' ');
  const walk = (r: RunHistory) => {
    const self = participant(r.team ?? r.workflowId);
    for (const step of r.steps) {
      if (step.kind === 'agent') {
        const agent = participant(`${step.agent}`);
        lines.push(`  ${self}->>${agent}: ${text(step.summary.replace(/^[^:]*: /, ''))}`);
        const result = step.failure
          ? `FAILED ${step.failure.type ?? ''}`
          : `${text(typeof step.output === 'string' ? step.output : JSON.stringify(step.output ?? ''))} (${step.usage?.outputTokens ?? 0} tokens)`;
        lines.push(`  ${agent}-->>${self}: ${result}`);
      } else if (step.kind === 'tool') {
        const agent = participant(step.agent);
        const tool = participant(`tool ${step.tool}`);
        lines.push(`  ${agent}->>${tool}: ${text(JSON.stringify(step.input ?? ''))}`);
        lines.push(`  ${tool}-->>${agent}: ${step.isError ? 'ERROR ' : ''}${text(step.result ?? '')}`);
      } else if (step.kind === 'child' && step.run) {
        const child = participant(step.run.team ?? step.workflowId);
        lines.push(`  ${self}->>${child}: sub-team ${text(step.workflowId)}`);
        walk(step.run);
        lines.push(`  ${child}-->>${self}: done`);
      } else if (step.kind === 'decision') {
        const d = step.decision as { by?: string; decision?: string; comment?: string } | undefined;
        const person = participant(d?.by ?? 'someone', 'actor');
        lines.push(
          `  ${person}->>${self}: ${step.refused ? `refused ${d?.decision ?? ''}` : (d?.decision ?? '')} via ${step.via}${d?.comment ? ` ${text(d.comment)}` : ''}`,
        );
      } else if (step.kind === 'notice') {
        lines.push(`  Note over ${self}: ${step.notice} ${text(step.detail)}`);
      } else if (step.kind === 'end') {
        lines.push(`  Note over ${self}: ${step.status}${step.detail ? ` ${text(step.detail)}` : ''}`);
      }
    }
  };
  walk(run);
  return lines.join('\n');
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'running' : `${(ms / 1_000).toFixed(1)} s`;
}
