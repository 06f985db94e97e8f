import { describe, expect, it } from 'vitest';
import {
  AGENT_HEADER,
  ATTEMPT_HEADER,
  RUN_HEADER,
  TURN_HEADER,
  createOfflineAnthropic,
  type MessagesScript,
  type ScriptedReply,
} from '../../src/activities/index.js';
import { replyFor } from '../../src/activities/providers/scripted-messages.js';

// Which reply a turn gets comes from the request alone, so a restarted worker answers as the first would.
const answer = (text: string): ScriptedReply => ({ text });
const fail = (status: number): ScriptedReply => ({ error: { status } });

describe('scripted replies by turn and attempt', () => {
  it('gives turn n the n-th answer, and its failures to its first attempts', () => {
    const replies = [answer('a'), fail(429), fail(529), answer('b'), answer('c')];
    expect([1, 2, 3].map((attempt) => replyFor(replies, 1, attempt))).toEqual([0, 0, 0]);
    expect([1, 2, 3, 4].map((attempt) => replyFor(replies, 2, attempt))).toEqual([1, 2, 3, 3]);
    expect(replyFor(replies, 3, 1)).toBe(4);
    // Past the end, the last reply repeats.
    expect(replyFor(replies, 9, 1)).toBe(4);
  });

  it('keeps failing when the list ends in failures, as a call that never succeeds', () => {
    expect([1, 2, 3].map((attempt) => replyFor([fail(400)], 1, attempt))).toEqual([0, 0, 0]);
    expect(replyFor([answer('a'), fail(400)], 2, 5)).toBe(1);
  });

  it('answers the same turn alike on two workers, the second started after the first stopped', async () => {
    const script: MessagesScript = {
      agent: [
        { toolUse: [{ name: 'book', input: { seat: 1 } }] },
        { toolUse: [{ name: 'pay', input: { amount: 5 } }] },
        { text: 'done' },
      ],
    };
    const ask = async (worker: ReturnType<typeof createOfflineAnthropic>, turn: number, attempt = 1) => {
      const message = await worker.anthropic.messages.create(
        { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        {
          headers: {
            [AGENT_HEADER]: 'agent',
            [RUN_HEADER]: 'run-1',
            [TURN_HEADER]: String(turn),
            [ATTEMPT_HEADER]: String(attempt),
          },
        },
      );
      return message.content.map((block) =>
        block.type === 'text' ? block.text : block.type === 'tool_use' ? `${block.name}#${block.id}` : block.type,
      );
    };
    const first = createOfflineAnthropic(script);
    const turnOne = await ask(first, 1);
    const turnTwo = await ask(first, 2);
    // A new worker, with nothing in memory, is asked turn 2 again (the first died mid-call), then turn 3.
    const second = createOfflineAnthropic(script);
    expect(await ask(second, 2, 2)).toEqual(turnTwo);
    expect(await ask(second, 3)).toEqual(['done']);
    expect(turnOne).toEqual(['book#toolu_scripted_t1_0']);
    expect(turnTwo).toEqual(['pay#toolu_scripted_t2_0']);
  });
});
