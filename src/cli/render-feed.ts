import type { FeedItem } from '../protocol/feed-events.js';
import type { AwaitingApproval } from '../protocol/messages.js';
import { summarise } from '../protocol/text.js';
import { formatEnvelope, type EnvelopeLike } from './render.js';

/** Where a view writes (a terminal, a pipe, a test's buffer). */
export interface FeedOutput {
  write(text: string): unknown;
}

/** What a view of a run's feed does with each item, and when the feed stops (so open text is closed). */
export interface FeedView {
  show(item: FeedItem): void;
  /** A line of the command's own (a note, the result): any text still flowing is ended first. */
  line(text: string): void;
  /** Ends whatever is open (a text line, a partly written line of text). */
  end(): void;
}

export interface FeedViewOptions {
  /**
   * The lines a run waiting on a gate prints (by default the gate, who may decide and until when).
   * `workflowId` is the run to decide on, when the feed names it (a sub-team's gate is its own
   * run's); without it, the gate is the followed run's own.
   */
  hint?: (awaiting: AwaitingApproval, workflowId: string | undefined) => string[];
}

type Item<T extends FeedItem['type']> = Extract<FeedItem, { type: T }>;

/** The member an item is about, as the CLI labels it: `writer`, or `research › writer` in sub-team `research`. */
export function memberLabel(path: readonly string[]): string {
  return path.length ? path.join(' › ') : 'run';
}

/** One model call: its member and turn (an attempt's text is void once a later attempt of the same call starts). */
const callKey = (item: { path: readonly string[]; turn: number }): string => `${item.path.join('\u0000')}#${item.turn}`;

/**
 * A step of the feed as one line, in the style of `troupe run`'s step lines; undefined for the
 * items a view shows its own way (text, model calls, the root run's end).
 */
export function formatFeedStep(item: FeedItem): string | undefined {
  // Steps of the run itself have the path []; a sub-team's are labelled with its member path.
  const within = (line: string) => (item.path.length ? line.replace(/^( *)/, `$1[${memberLabel(item.path)}] `) : line);
  switch (item.type) {
    case 'tool-started':
      return `  ⚙ ${memberLabel(item.path)} → ${item.tool}(${summarise(item.input ?? '', 60)})`;
    case 'tool-finished':
      return `  ⚙ ${memberLabel(item.path)} ← ${item.tool}${item.isError ? '  error' : ''}: ${summarise(item.summary, 100)}`;
    case 'handoff':
      return within(formatEnvelope(handoffEnvelope(item)));
    case 'approval-waiting':
      return waitingLines(item)
        .map((line, i) => (i === 0 ? within(line) : line))
        .join('\n');
    case 'approval-decided': {
      const mark = item.decision === 'approve' ? '✔' : item.decision === 'reject' ? '✘' : '↺';
      return within(
        `  ${mark} ${item.by} → ${item.gate}  ${item.decision}${item.comment ? `: ${summarise(item.comment, 100)}` : ''}`,
      );
    }
    case 'budget':
      return within(`  ${item.kind === 'raised' ? '⬆' : '⚠'} budget ${item.kind}: ${item.detail}`);
    case 'member-skipped':
      return `  ⤼ ${memberLabel(item.path)} skipped (optional): ${summarise(item.reason, 100)}`;
    case 'run-finished':
      return item.path.length
        ? `  ■ ${memberLabel(item.path)} finished${item.partial ? ` (partial: stopped by ${item.stoppedBy ?? 'a limit'})` : ''}`
        : undefined;
    case 'run-failed':
      return item.path.length ? `  ✗ ${memberLabel(item.path)} failed: ${summarise(item.message, 100)}` : undefined;
    case 'call-finished':
      if (item.stopReason === 'failed') return `  ✗ ${memberLabel(item.path)}: the call failed (turn ${item.turn})`;
      if (item.stopReason === 'refused')
        return `  ↺ ${memberLabel(item.path)}: the answer was refused (turn ${item.turn}); a repair follows`;
      if (item.stopReason === 'max_tokens')
        return `  ⚠ ${memberLabel(item.path)}: the answer was cut at max_tokens (turn ${item.turn})`;
      return undefined;
    default:
      return undefined;
  }
}

/** The note a retried call gets: the text its dead attempt wrote is void, and the new attempt writes it again. */
export function retriedLine(item: Item<'call-retried'>): string {
  return `  ↻ ${memberLabel(item.path)}: attempt ${item.attempt - 1} of turn ${item.turn} died; attempt ${item.attempt} starts the text over (drop what it wrote above)`;
}

function waitingLines(item: Item<'approval-waiting'>): string[] {
  const who = item.approvers.includes('*') ? 'anyone' : item.approvers.join(', ');
  return [
    `  ⏸ Waiting for a decision on gate "${item.gate}"${item.escalated ? ' (escalated)' : ''}: ${item.subject}`,
    `    Who may decide: ${who}, until ${item.deadline}.`,
    // A sub-team's gate is decided on the sub-team's own run, which older feeds do not name.
    ...(item.path.length && gateRun(item) === undefined
      ? ["    It is decided on the sub-team's own run: `troupe pending` lists it."]
      : []),
  ];
}

/** The run a gate is decided on, when the item names it (feeds written before it did do not). */
function gateRun(item: Item<'approval-waiting'>): string | undefined {
  const named: unknown = 'workflowId' in item ? item.workflowId : undefined;
  return typeof named === 'string' ? named : undefined;
}

/** The lines a gate gets: the view's hint (with the commands that decide it), when it knows the run to decide on. */
function gateLines(item: Item<'approval-waiting'>, options: FeedViewOptions): string[] | undefined {
  const run = gateRun(item);
  if (!options.hint || (run === undefined && item.path.length > 0)) return undefined;
  const lines = options.hint(awaitingOf(item), run);
  const label = `[${memberLabel(item.path)}] `;
  return item.path.length ? lines.map((line, i) => (i === 0 ? line.replace(/^( *)/, `$1${label}`) : line)) : lines;
}

function awaitingOf(item: Item<'approval-waiting'>): AwaitingApproval {
  return {
    gate: item.gate,
    approvers: item.approvers,
    deadline: item.deadline,
    escalated: item.escalated,
    subject: item.subject,
  };
}

/**
 * A handoff as the envelope line `troupe run` prints for it. The feed carries the start of what was
 * handed over as one line of text: JSON when the content was an object, read back whole when it
 * was short, its simple fields picked out when it was cut.
 */
function handoffEnvelope(item: Item<'handoff'>): EnvelopeLike {
  return {
    from: item.from,
    to: item.to,
    kind: item.kind as EnvelopeLike['kind'],
    content: contentOf(item.summary),
    ...(item.round !== undefined ? { round: item.round } : {}),
  };
}

function contentOf(summary: string): unknown {
  if (!summary.startsWith('{')) return summary;
  try {
    return JSON.parse(summary) as unknown;
  } catch {
    // Cut at the summary's length: the top-level fields that came whole (or their start).
    const fields: Record<string, unknown> = {};
    for (const m of summary.matchAll(/"(\w+)":\s*(true|false|null|-?\d+(?:\.\d+)?|"((?:[^"\\]|\\.)*)(?:"|…$))/g)) {
      const [, name, raw, text] = m;
      if (name === undefined || name in fields) continue;
      fields[name] = text !== undefined ? text.replace(/\\(.)/g, '$1') : JSON.parse(raw ?? 'null');
    }
    return Object.keys(fields).length ? fields : summary;
  }
}

/**
 * The live view of a terminal: each agent's text flows as it is written under a header naming the
 * member and its turn (written again when another member's text comes in between), with the steps
 * as lines in between and a passing status while a call has not written yet.
 */
export class LiveFeedView implements FeedView {
  /** The call whose text is being written on the current line(s). */
  private open: string | undefined;
  private atLineStart = true;
  private statusShown = false;
  /** Each call's newest attempt: text of an older one is void. */
  private readonly attempts = new Map<string, number>();
  /** Calls that have had a header (a later header for them says "continued"). */
  private readonly headed = new Set<string>();

  constructor(
    private readonly out: FeedOutput,
    /** Its options; `hint` may be set once the run is known. */
    readonly options: FeedViewOptions = {},
  ) {}

  show(item: FeedItem): void {
    switch (item.type) {
      case 'text':
        return this.text(item);
      case 'call-started':
        if (this.atLineStart) this.status(`${memberLabel(item.path)} is thinking (turn ${item.turn}, ${item.model})`);
        return;
      case 'call-retried': {
        const key = callKey(item);
        this.attempts.set(key, Math.max(item.attempt, this.attempts.get(key) ?? 0));
        if (this.open === key) this.open = undefined;
        this.headed.delete(key);
        return this.line(retriedLine(item));
      }
      case 'call-finished':
        if (this.open === callKey(item)) {
          this.endLine();
          this.open = undefined;
        }
        break;
      case 'approval-waiting': {
        const lines = gateLines(item, this.options);
        if (lines) {
          for (const line of lines) this.line(line);
          return;
        }
        break;
      }
      default:
        break;
    }
    const step = formatFeedStep(item);
    if (step !== undefined) this.line(step);
  }

  line(text: string): void {
    this.endLine();
    this.open = undefined;
    this.out.write(`${text}\n`);
  }

  end(): void {
    this.endLine();
    this.open = undefined;
  }

  private text(item: Item<'text'>): void {
    const key = callKey(item);
    const attempt = this.attempts.get(key) ?? 0;
    if (item.attempt < attempt) return;
    if (item.attempt > attempt) this.attempts.set(key, item.attempt);
    if (!item.text) return;
    if (this.open !== key) {
      this.endLine();
      const notes = [
        `turn ${item.turn}`,
        ...(item.attempt > 1 ? [`attempt ${item.attempt}`] : []),
        ...(this.headed.has(key) ? ['continued'] : []),
      ];
      this.out.write(`── ${memberLabel(item.path)} (${notes.join(', ')})\n`);
      this.headed.add(key);
      this.open = key;
    }
    this.out.write(item.text);
    this.atLineStart = item.text.endsWith('\n');
  }

  private status(text: string): void {
    this.clearStatus();
    this.out.write(`  … ${text}`);
    this.statusShown = true;
  }

  private clearStatus(): void {
    if (this.statusShown) this.out.write('\r\x1b[2K');
    this.statusShown = false;
  }

  private endLine(): void {
    this.clearStatus();
    if (!this.atLineStart) this.out.write('\n');
    this.atLineStart = true;
  }
}

/** How wide a line of text gets in the line view before it is broken (at a space when there is one). */
const LINE_WIDTH = 100;

/**
 * The view for a pipe or a log: one line per event. Each agent's text is shown in lines labelled
 * `  writer │ ...`, written once a line of it is complete (at a newline, or broken at a space once
 * it is long), so members writing at once stay readable; the steps are the live view's lines.
 */
export class LineFeedView implements FeedView {
  private readonly pending = new Map<string, { label: string; text: string }>();
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly out: FeedOutput,
    /** Its options; `hint` may be set once the run is known. */
    readonly options: FeedViewOptions = {},
  ) {}

  show(item: FeedItem): void {
    switch (item.type) {
      case 'text':
        return this.text(item);
      case 'call-retried': {
        const key = callKey(item);
        this.attempts.set(key, Math.max(item.attempt, this.attempts.get(key) ?? 0));
        // Its partial line is void too.
        this.pending.delete(key);
        return this.line(retriedLine(item));
      }
      case 'call-finished':
        this.flush(callKey(item));
        break;
      case 'approval-waiting': {
        const lines = gateLines(item, this.options);
        if (lines) {
          for (const line of lines) this.line(line);
          return;
        }
        break;
      }
      default:
        break;
    }
    const step = formatFeedStep(item);
    if (step !== undefined) this.line(step);
  }

  line(text: string): void {
    this.out.write(`${text}\n`);
  }

  end(): void {
    for (const key of [...this.pending.keys()]) this.flush(key);
  }

  private text(item: Item<'text'>): void {
    const key = callKey(item);
    const attempt = this.attempts.get(key) ?? 0;
    if (item.attempt < attempt) return;
    if (item.attempt > attempt) {
      // A new attempt without its call-retried seen (a feed read from the middle): the old text is void.
      if (attempt > 0) this.pending.delete(key);
      this.attempts.set(key, item.attempt);
    }
    const open = this.pending.get(key) ?? { label: memberLabel(item.path), text: '' };
    open.text += item.text;
    this.pending.set(key, open);
    for (;;) {
      const newline = open.text.indexOf('\n');
      if (newline >= 0 && newline <= LINE_WIDTH) {
        this.textLine(open.label, open.text.slice(0, newline));
        open.text = open.text.slice(newline + 1);
        continue;
      }
      if (open.text.length <= LINE_WIDTH) break;
      const space = open.text.lastIndexOf(' ', LINE_WIDTH);
      const cut = space > 0 ? space : LINE_WIDTH;
      this.textLine(open.label, open.text.slice(0, cut));
      open.text = open.text.slice(space > 0 ? cut + 1 : cut);
    }
  }

  private flush(key: string): void {
    const open = this.pending.get(key);
    this.pending.delete(key);
    if (open && open.text.trim()) this.textLine(open.label, open.text.trimEnd());
  }

  private textLine(label: string, text: string): void {
    this.out.write(`  ${label} │ ${text}`.trimEnd() + '\n');
  }
}

/** For scripts: each item as one line of JSON (a FeedItem of `troupe/protocol`). */
export class JsonFeedView implements FeedView {
  constructor(private readonly out: FeedOutput) {}

  show(item: FeedItem): void {
    this.out.write(`${JSON.stringify(item)}\n`);
  }

  line(): void {
    // Only feed items go to the output: the command's own notes go to stderr.
  }

  end(): void {}
}

/**
 * Whether `out` gets the live view: a terminal does, a pipe or a file does not. TROUPE_STREAM=1
 * shows it on any output (a terminal that Node does not see as one, a test), TROUPE_STREAM=0 on none.
 */
export function wantsLiveView(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env['TROUPE_STREAM'];
  if (forced === '1') return true;
  if (forced === '0') return false;
  return Boolean(out.isTTY);
}
