import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  TeamRegistry,
  TeamSpecError,
  VerdictSchema,
  defineAgent,
  defineTeam,
  defineTool,
  parseTeamInput,
} from '../../src/team/index.js';
import { RunSpecSchema } from '../../src/protocol/index.js';

const writer = defineAgent({ name: 'writer', role: 'writer', system: 'Write.', output: 'text' });
const critic = defineAgent({ name: 'critic', role: 'critic', system: 'Review.', output: VerdictSchema });

function errorOf(fn: () => unknown): TeamSpecError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TeamSpecError);
    return error as TeamSpecError;
  }
  throw new Error('expected a TeamSpecError');
}

describe('defineTool and agents with tools', () => {
  const tool = (name: string) =>
    defineTool({ name, description: 'Look up.', input: z.object({ q: z.string() }), run: () => 'ok' });

  it('refuses bad tools and bad tool-using agents, naming the problem and the fix', () => {
    expect(
      errorOf(() =>
        defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', tools: [tool('look'), tool('look')] }),
      ).message,
    ).toContain('tools[1].name: two tools are named "look": give each tool of an agent its own name');
    expect(
      errorOf(() =>
        defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', tools: [tool('look')], maxTurns: 0 }),
      ).message,
    ).toContain('maxTurns must be at least 1');
    expect(
      errorOf(() => defineTool({ name: 'when', description: 'd', input: z.object({ at: z.date() }), run: () => '' }))
        .message,
    ).toContain('input: cannot be expressed as JSON Schema');
    expect(
      errorOf(() => defineTool({ name: 'raw', description: 'd', input: z.string() as never, run: () => '' })).message,
    ).toContain('input: must be a zod object');
    expect(
      errorOf(() =>
        defineTool({ name: 'ask', description: 'd', input: z.object({}), run: () => '', needsApproval: () => true }),
      ).message,
    ).toContain('needsApproval: set approval too');
  });

  it('refuses a delegate that is not a member of the team', () => {
    const lead = defineAgent({ name: 'lead', role: 'lead', system: 's', output: 'text', delegates: ['ghost', 'lead'] });
    const error = errorOf(() =>
      defineTeam({ name: 't', agents: [lead], topology: { kind: 'pipeline', steps: [{ agent: 'lead' }] } }),
    );
    expect(error.message).toContain(
      'agents[0].delegates[0]: "ghost" is neither an agent nor a sub-team of this team (members: lead): delegate only to members',
    );
    expect(error.message).toContain('agents[0].delegates[1]: an agent cannot delegate to itself');
  });

  it('puts a serialisable spec in the run: the approval as a gate named after the tool', () => {
    const guarded = defineTool({
      name: 'send',
      description: 'Send it.',
      input: z.object({ to: z.string() }),
      run: () => 'sent',
      approval: { approvers: ['ana'] },
      needsApproval: ({ to }) => to.endsWith('.com'),
    });
    expect(guarded.spec).toMatchObject({
      name: 'send',
      approval: { gate: 'tool-send', approvers: ['ana'], when: 'requested' },
      onRefused: 'tell-model',
    });
    const agent = defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', tools: [guarded] });
    expect(agent.spec.tools.map((t) => t.name)).toEqual(['send']);
    expect(agent.spec.maxTurns).toBe(10);
    expect(agent.tool('send')).toBe(guarded);
    expect(JSON.parse(JSON.stringify(agent.spec))).toEqual(agent.spec);
  });
});

describe('defineAgent', () => {
  it('normalises durations and fills defaults', () => {
    const agent = defineAgent({
      name: 'a',
      role: 'r',
      system: 's',
      output: 'text',
      timeout: '90s',
      heartbeatTimeout: 500,
    });
    expect(agent.spec.timeout).toBe(90_000);
    expect(agent.spec.heartbeatTimeout).toBe(500);
    // Attempts are unlimited by default: the call's total timeout bounds them.
    expect(agent.spec.retry).toEqual({ initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 });
    expect(agent.spec.totalTimeout).toBeUndefined();
    expect(agent.spec.maxRepairs).toBe(2);
  });

  it('refuses an agent and a sub-team of the same name, and fallbacks that form a cycle', () => {
    const leafTeam = defineTeam({
      name: 'writer',
      agents: [critic],
      topology: { kind: 'pipeline', steps: [{ agent: 'critic' }] },
    });
    const clash = errorOf(() =>
      defineTeam({
        name: 't',
        agents: [writer],
        subteams: [leafTeam],
        topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
      }),
    );
    expect(clash.message).toContain('subteams[0]: sub-team "writer" has the name of an agent of this team');
    const a = defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', fallback: 'b' });
    const b = defineAgent({ name: 'b', role: 'r', system: 's', output: 'text', fallback: 'a' });
    const cycle = errorOf(() =>
      defineTeam({ name: 't', agents: [a, b], topology: { kind: 'pipeline', steps: [{ agent: 'a' }] } }),
    );
    expect(cycle.message).toContain('"a" and "b" are each other\'s fallback: a fallback is one hop');
  });

  it('refuses a schema made by another copy of zod, saying to install one version', () => {
    const foreign = { _zod: { def: { type: 'object' } }, parse: (v: unknown) => v } as unknown as z.ZodType;
    const error = errorOf(() => defineAgent({ name: 'a', role: 'r', system: 's', output: foreign }));
    expect(error.message).toContain('output: not a schema of the zod that Troupe uses');
    expect(error.message).toContain('npm dedupe');
  });

  it('refuses a total timeout shorter than one attempt', () => {
    const error = errorOf(() =>
      defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', timeout: '2m', totalTimeout: '1m' }),
    );
    expect(error.message).toContain('totalTimeout: must be at least the timeout of one attempt');
  });

  it('turns a zod output schema into JSON schema for the model', () => {
    const agent = defineAgent({ name: 'a', role: 'r', system: 's', output: z.object({ n: z.number() }) });
    expect(agent.spec.output).toMatchObject({
      kind: 'json',
      jsonSchema: { type: 'object', properties: { n: { type: 'number' } } },
    });
    expect(agent.outputSchema?.parse({ n: 1 })).toEqual({ n: 1 });
  });

  it('rejects a negative timeout, naming the field and the fix', () => {
    const error = errorOf(() => defineAgent({ name: 'a', role: 'r', system: 's', output: 'text', timeout: -5 }));
    expect(error.message).toContain('Agent "a" is not valid');
    expect(error.message).toContain('timeout: expected a positive duration');
  });

  it('rejects an agent without an output schema', () => {
    const error = errorOf(() => defineAgent({ name: 'a', role: 'r', system: 's' } as never));
    expect(error.message).toContain("output: missing; pass a zod schema for structured output, or output: 'text'");
  });

  it('rejects a malformed name and an empty system prompt', () => {
    const error = errorOf(() => defineAgent({ name: '9 lives', role: 'r', system: '', output: 'text' }));
    expect(error.message).toContain('name: use letters');
    expect(error.message).toContain('system: give the agent a system prompt');
  });
});

describe('defineTeam', () => {
  it('rejects a step that names an unknown agent, listing the known ones', () => {
    const error = errorOf(() =>
      defineTeam({ name: 't', agents: [writer], topology: { kind: 'pipeline', steps: [{ agent: 'writr' }] } }),
    );
    expect(error.message).toContain(
      'topology.steps[0].agent: step 1 names agent "writr", which is not in the team (agents: writer)',
    );
  });

  it('rejects a gate agent with no verdict schema', () => {
    const error = errorOf(() =>
      defineTeam({
        name: 't',
        agents: [writer],
        topology: { kind: 'pipeline', steps: [{ agent: 'writer', gate: { kind: 'agent', agent: 'writer' } }] },
      }),
    );
    expect(error.message).toContain(
      'gate "writer" has no VerdictSchema output: give it output: VerdictSchema (or a zod object extending it)',
    );
  });

  it('rejects an unknown check, an unknown fallback and duplicate agents', () => {
    const lonely = defineAgent({ name: 'lonely', role: 'r', system: 's', output: 'text', fallback: 'ghost' });
    const error = errorOf(() =>
      defineTeam({
        name: 't',
        agents: [writer, writer, lonely],
        topology: { kind: 'pipeline', steps: [{ agent: 'writer', gate: { kind: 'check', check: 'nope' } }] },
      }),
    );
    expect(error.message).toContain('agent "writer" is defined twice');
    expect(error.message).toContain('fallback "ghost" is not an agent of this team');
    expect(error.message).toContain('names check "nope", which the team does not define');
  });

  it('rejects an empty pipeline', () => {
    const error = errorOf(() => defineTeam({ name: 't', agents: [writer], topology: { kind: 'pipeline', steps: [] } }));
    expect(error.message).toContain('a pipeline needs at least one step');
  });

  it('accepts a gated pipeline, and its spec round-trips through the run spec schema', () => {
    const team = defineTeam({
      name: 't',
      agents: [writer, critic],
      topology: { kind: 'pipeline', steps: [{ agent: 'writer', gate: { kind: 'agent', agent: 'critic' } }] },
    });
    const spec = { team: team.spec, input: 'hello', subteams: {}, searchAttributes: false, prices: {} };
    expect(RunSpecSchema.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(team.spec.topology.kind === 'pipeline' && team.spec.topology.steps[0]?.gate).toMatchObject({
      maxRevisions: 2,
      onExhausted: 'continue',
    });
  });

  it('validates run input against the team input schema', () => {
    const team = defineTeam({
      name: 't',
      agents: [writer],
      topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] },
    });
    expect(parseTeamInput(team, '  a task ')).toBe('a task');
    expect(errorOf(() => parseTeamInput(team, '   ')).message).toContain('give the team a non-empty task');
  });
});

describe('TeamRegistry', () => {
  it('names the known teams when asked for an unknown one', () => {
    const registry = new TeamRegistry([
      defineTeam({ name: 'known', agents: [writer], topology: { kind: 'pipeline', steps: [{ agent: 'writer' }] } }),
    ]);
    expect(() => registry.get('unknown')).toThrow('Unknown team "unknown". Known teams: known.');
  });
});
