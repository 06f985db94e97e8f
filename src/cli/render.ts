import type { Envelope, Usage } from '../protocol/index.js';
import type { RunResult } from '../protocol/messages.js';
import { summarise } from '../protocol/text.js';

/** Terminal output for a followed run: permanent lines for handoffs, a status line for what is happening now. */
export class RunPrinter {
  private statusShown = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty = Boolean(out.isTTY),
  ) {}

  line(text: string): void {
    this.clearStatus();
    this.out.write(`${text}\n`);
  }

  status(text: string): void {
    if (!this.tty) return this.line(`  … ${text}`);
    this.clearStatus();
    this.out.write(`  … ${text}`);
    this.statusShown = true;
  }

  envelope(envelope: Envelope): void {
    this.line(formatEnvelope(envelope));
  }

  private clearStatus(): void {
    if (this.statusShown) this.out.write('\r\x1b[2K');
    this.statusShown = false;
  }
}

/** What an envelope line is made of: an envelope from a run's transcript, or a handoff from its live feed. */
export type EnvelopeLike = Pick<Envelope, 'from' | 'to' | 'kind' | 'content'> &
  Partial<Pick<Envelope, 'round' | 'model' | 'usage' | 'revision' | 'childWorkflowId'>>;

export function formatEnvelope(envelope: EnvelopeLike): string {
  const route = `${envelope.from} → ${envelope.to}`;
  const meta = [
    envelope.round ? `round ${envelope.round}` : undefined,
    envelope.model,
    envelope.usage ? `${envelope.usage.outputTokens} tokens out` : undefined,
    envelope.revision ? `revision ${envelope.revision}` : undefined,
    envelope.childWorkflowId ? `child workflow ${envelope.childWorkflowId}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const detail = meta ? ` (${meta})` : '';
  const content = envelope.content as Record<string, unknown> | undefined;
  const field = (name: string) => summarise(content?.[name] ?? '', 100);
  switch (envelope.kind) {
    case 'task':
      return `  ▸ ${route}  task: ${summarise(envelope.content, 100)}`;
    case 'verdict':
      return `  ${content?.['approved'] ? '✓' : '↺'} ${route}  ${content?.['approved'] ? 'approved' : 'sent back'}${detail}: ${field('feedback')}`;
    case 'decision': {
      const assignments = (content?.['assignments'] as { worker: string }[] | undefined) ?? [];
      return content?.['done']
        ? `  ◆ ${route}  finishes${detail}`
        : `  ◆ ${route}  assigns ${assignments.map((a) => a.worker).join(', ')}${detail}: ${field('answer')}`;
    }
    case 'assignment':
      return `    ↳ ${route}: ${summarise(envelope.content, 100)}`;
    case 'route':
      return `  ⤷ ${route}  routed${detail}: ${field('reason')}`;
    case 'argument':
      return `  ✎ ${envelope.from}${detail}: ${field('position')}: ${field('argument')}`;
    case 'judgment':
      return `  ⚖ ${route}  decides${detail}: ${field('decision')}`;
    case 'move':
      return content?.['claim']
        ? `  ✦ ${route}  works on ${field('claim')}${detail}: ${field('result')}`
        : `  · ${envelope.from} passes${detail}`;
    case 'handoff':
      return `  ⇢ ${route}  hands off${detail}: ${field('answer')}`;
    case 'approval': {
      if (content?.['refused'])
        return `  ✗ ${envelope.from} → ${envelope.to}  decision refused (${field('via')}): ${field('refused')}`;
      if (content?.['escalated']) return `  ⏫ ${route}  escalated`;
      const mark = content?.['decision'] === 'approve' ? '✔' : content?.['decision'] === 'reject' ? '✘' : '↺';
      return `  ${mark} ${route}  ${field('decision')} (${field('via')})${content?.['comment'] ? `: ${field('comment')}` : ''}`;
    }
    case 'tool':
      return `  ⚙ ${route}(${summarise(content?.['input'] ?? '', 60)})${content?.['isError'] ? '  error' : ''}: ${field('result')}`;
    case 'result':
      return `  ■ ${route}  final result`;
    default:
      return `  ✓ ${route}${detail}: ${summarise(envelope.content, 100)}`;
  }
}

/** Calls, tokens, server tool uses and, when prices gave one, the estimated cost: one line, the same everywhere. */
export function formatUsage(usage: Usage, agentCalls: number, costUsd?: number): string {
  const cost = costUsd !== undefined ? ` · estimated cost $${costUsd.toFixed(4)}` : '';
  return `${agentCalls} agent call(s) · tokens: ${usage.inputTokens} in, ${usage.outputTokens} out, ${usage.cacheReadTokens} cache read, ${usage.cacheWriteTokens} cache write${serverToolUses(usage)}${cost}`;
}

/** Uses of Anthropic's server tools, when there were any: ", 2 web search(es), 1 web fetch(es)". */
export function serverToolUses(usage: Usage): string {
  const parts = [
    usage.webSearchRequests ? `${usage.webSearchRequests} web search(es)` : '',
    usage.webFetchRequests ? `${usage.webFetchRequests} web fetch(es)` : '',
  ].filter(Boolean);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

export function formatResult(result: RunResult): string {
  const output = typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2);
  const warnings = result.warnings.map((w) => `⚠ ${w}`);
  if (result.degraded?.length)
    warnings.unshift(
      `⚠ DEGRADED RESULT: optional step(s) skipped: ${result.degraded.map((d) => d.member).join(', ')}.`,
    );
  if (result.partial)
    warnings.unshift(`⚠ PARTIAL RESULT: the run stopped at ${result.stoppedBy ?? 'a limit'} before finishing.`);
  return ['', 'Result:', output, '', ...warnings, formatUsage(result.usage, result.agentCalls, result.costUsd)].join(
    '\n',
  );
}

export function runUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  return uiUrl
    ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`
    : undefined;
}
