import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/workers/errors.js';
import { createModelClient } from '../../src/workers/model-client.js';

const script = { writer: [{ text: 'one two three four five six seven eight' }] };
const request = {
  model: 'claude-sonnet-4-5',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'Write.' }],
};

/** When each text delta of a streamed answer arrived, in ms from the first. */
async function deltaTimes(env: NodeJS.ProcessEnv): Promise<{ text: string; times: number[] }> {
  const { anthropic } = createModelClient(script, env);
  const stream = anthropic.messages.stream(request, { headers: { 'x-troupe-agent': 'writer' } });
  const times: number[] = [];
  stream.on('text', () => times.push(Date.now()));
  const message = await stream.finalMessage();
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  return { text, times: times.map((t) => t - (times[0] ?? t)) };
}

describe('the offline model client', () => {
  it('streams its scripted answers word by word, as a model writes (15 ms a word unless set)', async () => {
    const paced = await deltaTimes({});
    expect(paced.text).toBe('one two three four five six seven eight');
    expect(paced.times.length).toBe(8);
    expect(paced.times.at(-1)).toBeGreaterThanOrEqual(7 * 15 - 10);
    const quick = await deltaTimes({ TROUPE_OFFLINE_TOKEN_MS: '0' });
    expect(quick.text).toBe(paced.text);
    expect(quick.times.at(-1)).toBeLessThan(50);
  });

  it('refuses a TROUPE_OFFLINE_TOKEN_MS that is not a whole number of ms, naming the fix', () => {
    for (const value of ['fast', '-1', '1.5', '20000'])
      expect(() => createModelClient(script, { TROUPE_OFFLINE_TOKEN_MS: value })).toThrow(
        /is not a whole number of milliseconds from 0 to 10000: set it to/,
      );
    const refused = (() => {
      try {
        createModelClient(script, { TROUPE_OFFLINE_TOKEN_MS: 'x' });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refused instanceof WorkerError && refused.code).toBe('INVALID_OFFLINE_TOKEN_MS');
  });
});
