import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { findGateSubject } from '../../src/client/history/gate-subject.js';
import { summarise } from '../../src/protocol/text.js';

// Reading back, from a run's history, the whole of what its gate summarises in one cut line.
const completed = (result: unknown): temporal.api.history.v1.IHistoryEvent => ({
  activityTaskCompletedEventAttributes: { result: { payloads: [defaultPayloadConverter.toPayload(result)] } },
});
const childCompleted = (result: unknown): temporal.api.history.v1.IHistoryEvent => ({
  childWorkflowExecutionCompletedEventAttributes: { result: { payloads: [defaultPayloadConverter.toPayload(result)] } },
});
const subjectOf = (from: string, content: unknown, max = 60) => `${from}: ${summarise(content, max)}`;

const pay = (iban: string) => ({ tool: 'pay', input: { invoiceId: 'INV-7', amount: 'EUR 12,345.67', iban } });

describe('findGateSubject', () => {
  it("finds a tool call's whole input among the model turns, the latest matching one first", () => {
    const history = {
      events: [
        completed({ toolUses: [{ id: 'a', name: 'pay', input: pay('DE00 OLD').input }], conversation: 'k1' }),
        completed({
          toolUses: [
            { id: 'b', name: 'search', input: { q: 'x' } },
            { id: 'c', name: 'pay', input: pay('DE89 3704 0044 0532 0130 00').input },
          ],
          conversation: 'k2',
        }),
      ],
    };
    // Both calls summarise alike (the IBAN is past the cut): the latest one is the one waiting.
    expect(findGateSubject(history, subjectOf('clerk → pay', pay('DE89 3704 0044 0532 0130 00')))).toEqual({
      from: 'clerk → pay',
      content: pay('DE89 3704 0044 0532 0130 00'),
    });
  });

  it("finds an agent's or a sub-team's output, and a subject that was not cut", () => {
    const output = { text: 'A release note. '.repeat(20) };
    expect(
      findGateSubject({ events: [completed({ output, text: '', usage: {} })] }, subjectOf('writer', output)),
    ).toEqual({ from: 'writer', content: output });
    expect(findGateSubject({ events: [childCompleted({ output: 'short', transcript: [] })] }, 'team: short')).toEqual({
      from: 'team',
      content: 'short',
    });
  });

  it('finds nothing for content no event holds (a budget gate), nor for a different value with the same start', () => {
    expect(
      findGateSubject(
        { events: [completed({ output: 'unrelated' })] },
        subjectOf('team', { exhausted: 'calls', budget: {}, spent: {} }),
      ),
    ).toBeUndefined();
    expect(findGateSubject({ events: [completed({ output: 'abcdef' })] }, 'writer: abcdeX…')).toBeUndefined();
    expect(findGateSubject({}, 'writer: anything')).toBeUndefined();
  });
});
