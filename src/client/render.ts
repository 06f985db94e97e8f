import type { Envelope, Usage } from '../team/index.js';
import type { RunResult } from '../workflows/messages.js';
import { summarise } from '../workflows/runtime/prompt.js';

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

export function formatEnvelope(envelope: Envelope): string {
  const route = `${envelope.from} → ${envelope.to}`;
  const meta = [envelope.model, envelope.usage ? `${envelope.usage.outputTokens} tokens out` : undefined, envelope.revision ? `revision ${envelope.revision}` : undefined]
    .filter(Boolean)
    .join(', ');
  const detail = meta ? ` (${meta})` : '';
  switch (envelope.kind) {
    case 'task':
      return `  ▸ ${route}  task: ${summarise(envelope.content, 100)}`;
    case 'verdict': {
      const verdict = envelope.content as { approved?: boolean; feedback?: string };
      return `  ${verdict.approved ? '✓' : '↺'} ${route}  ${verdict.approved ? 'approved' : 'sent back'}${detail}: ${summarise(verdict.feedback ?? '', 100)}`;
    }
    case 'result':
      return `  ■ ${route}  final result`;
    default:
      return `  ✓ ${route}${detail}: ${summarise(envelope.content, 100)}`;
  }
}

export function formatUsage(usage: Usage, agentCalls: number): string {
  return `${agentCalls} agent call(s) · tokens: ${usage.inputTokens} in, ${usage.outputTokens} out, ${usage.cacheReadTokens} cache read, ${usage.cacheWriteTokens} cache write`;
}

export function formatResult(result: RunResult): string {
  const output = typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2);
  const warnings = result.warnings.map((w) => `⚠ ${w}`);
  return ['', 'Result:', output, '', ...warnings, formatUsage(result.usage, result.agentCalls)].join('\n');
}

export function runUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  return uiUrl ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;
}
