import { describe, expect, it } from 'vitest';
import { agentFingerprint, fingerprintDifferences, readableFingerprint } from '../../src/protocol/index.js';
import { AgentSpecSchema, ToolSpecSchema } from '../../src/team/index.js';

const tool = ToolSpecSchema.parse({
  name: 'lookup',
  description: 'Looks a word up.',
  inputSchema: { type: 'object', properties: { word: { type: 'string' } } },
});
const agent = AgentSpecSchema.parse({
  name: 'reader',
  role: 'researcher',
  system: 'You read.',
  output: { kind: 'text' },
  tools: [tool],
});

describe('agent fingerprints', () => {
  it('are the same for the same spec, and readable by this version', () => {
    const fingerprint = agentFingerprint(agent);
    expect(agentFingerprint(AgentSpecSchema.parse(JSON.parse(JSON.stringify(agent))))).toBe(fingerprint);
    expect(readableFingerprint(fingerprint)).toBe(true);
    expect(readableFingerprint('v2.abc')).toBe(false);
  });

  it('name each field the worker acts on that differs, and ignore what only the workflow uses', () => {
    const differs = (changed: object) =>
      fingerprintDifferences(agentFingerprint({ ...agent, ...changed }), agentFingerprint(agent));
    expect(differs({ system: 'You read twice.' })).toEqual(['system prompt']);
    expect(differs({ maxTokens: 99, cheaperModel: 'claude-haiku-5-5' })).toEqual(['cheaper model', 'maxTokens']);
    // What the model is told of a tool, not only its name.
    expect(differs({ tools: [{ ...tool, description: 'Looks a word up, slowly.' }] })).toEqual(['tools']);
    expect(differs({ tools: [{ ...tool, inputSchema: { type: 'object' } }] })).toEqual(['tools']);
    // Timeouts and retries are the workflow's: the run's own spec sets them.
    expect(differs({ timeout: 5_000, maxRepairs: 0 })).toEqual([]);
  });
});
