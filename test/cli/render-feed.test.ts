import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../src/protocol/feed-events.js';
import {
  formatFeedStep,
  LineFeedView,
  LiveFeedView,
  memberLabel,
  wantsLiveView,
  type FeedOutput,
} from '../../src/cli/render-feed.js';

// How troupe run (in a terminal) and troupe follow show a run's live feed. No server: feed items in, text out.

type Without<T> = T extends unknown ? Omit<T, 'offset' | 'at'> : never;
let offset = 0;
const at = '2026-12-08T10:00:00.000Z';
const feed = (...items: Without<FeedItem>[]): FeedItem[] => items.map((i) => ({ ...i, offset: offset++, at }));

const text = (path: string[], t: string, turn = 1, attempt = 1): Without<FeedItem> => ({
  type: 'text',
  path,
  turn,
  attempt,
  text: t,
});
const started = (path: string[], turn = 1): Without<FeedItem> => ({
  type: 'call-started',
  path,
  turn,
  model: 'claude-sonnet-4-5',
});
const done = (path: string[], turn = 1): Without<FeedItem> => ({
  type: 'call-finished',
  path,
  turn,
  stopReason: 'end_turn',
  outputTokens: 5,
});

class Buffer implements FeedOutput {
  text = '';
  writes: string[] = [];
  write(text: string): void {
    this.text += text;
    this.writes.push(text);
  }
}

function shown(View: typeof LiveFeedView | typeof LineFeedView, items: FeedItem[]): string {
  const out = new Buffer();
  const view = new View(out);
  for (const item of items) view.show(item);
  view.end();
  return out.text;
}

/** What a terminal shows once a passing status line has been cleared. */
// eslint-disable-next-line no-control-regex -- the clear is an escape sequence
const onScreen = (raw: string) => raw.replace(/[^\n]*\r\x1b\[2K/g, '');

describe('the live view (a terminal)', () => {
  it("flows each agent's text under a header naming the member and turn, with the steps as lines in between", () => {
    const raw = shown(
      LiveFeedView,
      feed(
        { type: 'handoff', path: [], from: 'user', to: 'planner', kind: 'task', summary: 'Write about durability.' },
        started(['planner']),
        text(['planner'], 'Plan: '),
        text(['planner'], 'one, two.'),
        done(['planner']),
        { type: 'handoff', path: [], from: 'planner', to: 'writer', kind: 'output', summary: 'Plan: one, two.' },
        started(['writer']),
        { type: 'tool-started', path: ['writer'], tool: 'search_notes', id: 't1', input: { query: 'retries' } },
        { type: 'tool-finished', path: ['writer'], tool: 'search_notes', id: 't1', isError: false, summary: '2 notes' },
        started(['writer'], 2),
        text(['writer'], 'Durable runs\n', 2),
        text(['writer'], 'survive crashes.', 2),
        done(['writer'], 2),
        { type: 'run-finished', path: [], partial: false },
      ),
    );
    // While the planner had not written yet, a passing status said it was working.
    expect(raw).toContain('  … planner is thinking (turn 1, claude-sonnet-4-5)\r\x1b[2K');
    expect(onScreen(raw)).toBe(
      [
        '  ▸ user → planner  task: Write about durability.',
        '── planner (turn 1)',
        'Plan: one, two.',
        '  ✓ planner → writer: Plan: one, two.',
        '  ⚙ writer → search_notes({ "query": "retries" })',
        '  ⚙ writer ← search_notes: 2 notes',
        '── writer (turn 2)',
        'Durable runs',
        'survive crashes.',
        '',
      ].join('\n'),
    );
  });

  it('writes the header again when members write in turn, and labels a sub-team member by its path', () => {
    const screen = onScreen(
      shown(
        LiveFeedView,
        feed(
          text(['research', 'scout'], 'alpha '),
          text(['critic'], 'beta '),
          text(['research', 'scout'], 'gamma'),
          done(['research', 'scout']),
          done(['critic']),
          { type: 'handoff', path: ['research'], from: 'scout', to: 'user', kind: 'result', summary: 'alpha gamma' },
          { type: 'run-finished', path: ['research'], partial: false },
        ),
      ),
    );
    expect(screen).toBe(
      [
        '── research › scout (turn 1)',
        'alpha ',
        '── critic (turn 1)',
        'beta ',
        '── research › scout (turn 1, continued)',
        'gamma',
        '  [research] ■ scout → user  final result',
        '  ■ research finished',
        '',
      ].join('\n'),
    );
  });

  it('a retried call: says the attempt died, drops late text of the dead attempt, and starts the text over', () => {
    const screen = onScreen(
      shown(
        LiveFeedView,
        feed(
          text(['writer'], 'Half a sen'),
          { type: 'call-retried', path: ['writer'], turn: 1, attempt: 2 },
          // A batch of the dead attempt that arrived late: void.
          text(['writer'], 'tence (lost)'),
          text(['writer'], 'A whole sentence.', 1, 2),
          done(['writer']),
        ),
      ),
    );
    expect(screen).toBe(
      [
        '── writer (turn 1)',
        'Half a sen',
        '  ↻ writer: attempt 1 of turn 1 died; attempt 2 starts the text over (drop what it wrote above)',
        '── writer (turn 1, attempt 2)',
        'A whole sentence.',
        '',
      ].join('\n'),
    );
  });

  it("a gate gets the view's hint (the commands that decide it) on the run the feed names, its own without a name", () => {
    const out = new Buffer();
    const view = new LiveFeedView(out, {
      hint: (a, run) => [`  decide ${a.gate} on ${run ?? 'the followed run'} by ${a.approvers.join('|')}`, '    more'],
    });
    const waiting = {
      type: 'approval-waiting',
      gate: 'publish',
      approvers: ['ana', 'bo'],
      deadline: '2026-12-09T10:00:00.000Z',
      escalated: false,
      subject: 'writer output: the essay',
    };
    // Built loosely: feeds written before items named the run that waits have no workflowId.
    const gate = (fields: Record<string, unknown>) =>
      ({ ...waiting, ...fields, offset: offset++, at }) as unknown as FeedItem;
    for (const item of [
      gate({ path: [] }),
      gate({ path: ['research'], workflowId: 'research-child' }),
      gate({ path: ['research'] }),
      ...feed({ type: 'approval-decided', path: [], gate: 'publish', decision: 'approve', by: 'ana', comment: 'ok' }),
    ])
      view.show(item);
    expect(out.text).toBe(
      [
        '  decide publish on the followed run by ana|bo',
        '    more',
        '  [research] decide publish on research-child by ana|bo',
        '    more',
        '  [research] ⏸ Waiting for a decision on gate "publish": writer output: the essay',
        '    Who may decide: ana, bo, until 2026-12-09T10:00:00.000Z.',
        "    It is decided on the sub-team's own run: `troupe pending` lists it.",
        '  ✔ ana → publish  approve: ok',
        '',
      ].join('\n'),
    );
  });
});

describe('the line view (a pipe, a log)', () => {
  it("shows each agent's text in labelled lines, complete lines at a time, so members writing at once stay apart", () => {
    const out = shown(
      LineFeedView,
      feed(
        started(['pro']),
        text(['pro'], 'Yes, because '),
        text(['research', 'con'], 'No: it costs.\nAnd '),
        text(['pro'], 'it lasts.\n\nSecond paragraph'),
        done(['pro']),
        text(['research', 'con'], 'it is slow.'),
        { type: 'budget', path: [], kind: 'low', detail: '80% of the tokens used' },
        done(['research', 'con']),
      ),
    );
    expect(out).toBe(
      [
        '  research › con │ No: it costs.',
        '  pro │ Yes, because it lasts.',
        '  pro │',
        '  pro │ Second paragraph',
        '  ⚠ budget low: 80% of the tokens used',
        '  research › con │ And it is slow.',
        '',
      ].join('\n'),
    );
  });

  it('breaks a long line at a space, and drops the partial line of an attempt that died', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const out = shown(
      LineFeedView,
      feed(
        text(['writer'], words.slice(0, 150)),
        text(['writer'], words.slice(150)),
        done(['writer']),
        text(['critic'], 'half a'),
        { type: 'call-retried', path: ['critic'], turn: 1, attempt: 2 },
        text(['critic'], 'whole verdict', 1, 2),
      ),
    );
    const lines = out.split('\n').filter(Boolean);
    const writer = lines.filter((l) => l.startsWith('  writer │ '));
    expect(writer.length).toBe(3);
    expect(writer.every((l) => l.length <= '  writer │ '.length + 100)).toBe(true);
    expect(writer.map((l) => l.slice('  writer │ '.length)).join(' ')).toBe(words);
    expect(lines.slice(3)).toEqual([
      '  ↻ critic: attempt 1 of turn 1 died; attempt 2 starts the text over (drop what it wrote above)',
      '  critic │ whole verdict',
    ]);
  });
});

describe('step lines', () => {
  const step = (item: Without<FeedItem>) => formatFeedStep({ ...item, offset: 0, at });

  it("read a handoff's content back from its summary: whole when short, its fields when it was cut", () => {
    const verdict = { approved: false, feedback: 'Cite the notes.' };
    expect(
      step({
        type: 'handoff',
        path: [],
        from: 'critic',
        to: 'writer',
        kind: 'verdict',
        summary: JSON.stringify(verdict),
      }),
    ).toBe('  ↺ critic → writer  sent back: Cite the notes.');
    const cut = `{"approved":true,"feedback":"${'very '.repeat(60)}`.slice(0, 199) + '…';
    expect(step({ type: 'handoff', path: [], from: 'critic', to: 'user', kind: 'verdict', summary: cut })).toMatch(
      /^ {2}✓ critic → user {2}approved: very very .*…$/,
    );
    // Either JSON layout: compact (as runs write it now) or spaced.
    const argument = '{ "position": "yes", "argument": "it lasts" }';
    expect(
      step({ type: 'handoff', path: [], from: 'pro', to: 'con', kind: 'argument', summary: argument, round: 2 }),
    ).toBe('  ✎ pro (round 2): yes: it lasts');
    // Text that is not JSON is shown as it is.
    expect(step({ type: 'handoff', path: [], from: 'a', to: 'b', kind: 'output', summary: '{not json' })).toBe(
      '  ✓ a → b: {not json',
    );
  });

  it('a refused answer says a repair follows', () => {
    expect(step({ type: 'call-finished', path: ['writer'], turn: 2, stopReason: 'refused' })).toBe(
      '  ↺ writer: the answer was refused (turn 2); a repair follows',
    );
    expect(step({ type: 'call-finished', path: ['writer'], turn: 2, stopReason: 'end_turn' })).toBeUndefined();
  });

  it("budget, a skipped member, a failed call, a failed sub-team; nothing for text and the run's own end", () => {
    expect(step({ type: 'budget', path: [], kind: 'exhausted', detail: 'calls: 5 of 5' })).toBe(
      '  ⚠ budget exhausted: calls: 5 of 5',
    );
    expect(step({ type: 'budget', path: [], kind: 'raised', detail: 'calls to 10 by ana' })).toBe(
      '  ⬆ budget raised: calls to 10 by ana',
    );
    expect(step({ type: 'member-skipped', path: ['critic'], reason: 'overloaded' })).toBe(
      '  ⤼ critic skipped (optional): overloaded',
    );
    expect(step({ type: 'call-finished', path: ['writer'], turn: 3, stopReason: 'failed' })).toBe(
      '  ✗ writer: the call failed (turn 3)',
    );
    expect(step({ type: 'run-failed', path: ['research'], message: 'boom' })).toBe('  ✗ research failed: boom');
    expect(step({ type: 'run-failed', path: [], message: 'boom' })).toBeUndefined();
    expect(step({ type: 'run-finished', path: [], partial: false })).toBeUndefined();
    expect(step(text(['writer'], 'x'))).toBeUndefined();
    expect(memberLabel(['a', 'b'])).toBe('a › b');
  });
});

describe('which output gets the live view', () => {
  it('a terminal does, a pipe does not; TROUPE_STREAM=1 or 0 decides for any', () => {
    expect(wantsLiveView({ isTTY: true }, {})).toBe(true);
    expect(wantsLiveView({}, {})).toBe(false);
    expect(wantsLiveView({}, { TROUPE_STREAM: '1' })).toBe(true);
    expect(wantsLiveView({ isTTY: true }, { TROUPE_STREAM: '0' })).toBe(false);
  });
});
