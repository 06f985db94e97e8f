import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { agentName, checkName, memberName, subteamName, withTeamCheck } from '../../src/team/reference-tags.js';
import { validateReferences, type TeamReferences } from '../../src/team/references.js';
import { ROLES, role } from '../../src/team/roles.js';
import { TeamSpecSchema } from '../../src/team/spec.js';
import {
  ArgumentSchema,
  HandoffSchema,
  JudgmentSchema,
  RouteSchema,
  SupervisorDecisionSchema,
  SwarmMoveSchema,
} from '../../src/team/decisions.js';
import { VerdictSchema } from '../../src/team/verdict.js';

type Issue = { path: PropertyKey[]; message: string };

const json = (schema: z.ZodType) => ({
  kind: 'json' as const,
  jsonSchema: z.toJSONSchema(schema, { reused: 'ref' }) as Record<string, unknown>,
});
const text = { kind: 'text' as const };
const agent = (name: string, output: TeamReferences['agents'][number]['output'] = text) => ({
  name,
  output,
  delegates: [],
});

/** The issues the reference check raises for `team` when its topology has the shape `topology`. */
function issuesOf(team: TeamReferences, topology: z.ZodType): Issue[] {
  const parsed = z
    .unknown()
    .superRefine((value, ctx) => validateReferences(value as TeamReferences, topology, ctx))
    .safeParse(team);
  return parsed.success ? [] : parsed.error.issues.map(({ path, message }) => ({ path, message }));
}

describe('reference checks derived from the schemas', () => {
  // A topology that exists only in this test: its names are checked with no change to references.ts.
  const ReviewSpecSchema = withTeamCheck(
    z.object({
      kind: z.literal('review'),
      reviewer: agentName('the reviewer', ROLES.judge),
      panel: z.array(memberName('panelist {n}')),
      rounds: z
        .array(
          z.object({ archive: subteamName('the archive of round {n}'), check: checkName('the check of round {n}') }),
        )
        .optional(),
    }),
    ({ panel, reviewer }, issue) => {
      if (panel.includes(reviewer)) issue(['panel'], `the reviewer "${reviewer}" cannot sit on the panel`);
    },
  );
  const team = (
    topology: unknown,
    agents = [agent('judge', json(JudgmentSchema)), agent('ana'), agent('bo')],
  ): TeamReferences => ({ agents, subteams: ['archive'], checks: ['lint'], topology });

  it('checks every tagged name of a new topology, in the schema order, with its label', () => {
    const topology = {
      kind: 'review',
      reviewer: 'ghost',
      panel: ['ana', 'nobody'],
      rounds: [
        { archive: 'archive', check: 'lint' },
        { archive: 'attic', check: 'spell' },
      ],
    };
    expect(issuesOf(team(topology), ReviewSpecSchema)).toEqual([
      {
        path: ['topology', 'reviewer'],
        message: 'the reviewer names agent "ghost", which is not in the team (agents: judge, ana, bo)',
      },
      {
        path: ['topology', 'panel', 1],
        message:
          'panelist 2 names "nobody", which is neither an agent nor a sub-team of this team (members: judge, ana, bo, archive)',
      },
      {
        path: ['topology', 'rounds', 1, 'archive'],
        message: 'the archive of round 2 names team "attic", which is not a sub-team of this team (sub-teams: archive)',
      },
      {
        path: ['topology', 'rounds', 1, 'check'],
        message: 'the check of round 2 names check "spell", which the team does not define (checks: lint)',
      },
    ]);
    expect(issuesOf(team({ kind: 'review', reviewer: 'judge', panel: ['ana', 'archive'] }), ReviewSpecSchema)).toEqual(
      [],
    );
  });

  it("asks an agent for the fields its role reads, with the types of the role's decision schema", () => {
    expect(issuesOf(team({ kind: 'review', reviewer: 'ana', panel: [] }), ReviewSpecSchema)).toEqual([
      {
        path: ['topology', 'reviewer'],
        message:
          'judge "ana" has no JudgmentSchema output: give it output: JudgmentSchema (or a zod object extending it)',
      },
    ]);

    // A role of a new decision: only `approve` is read, so `notes` may be left out, but `approve` must be a boolean.
    const ReviewSchema = z.object({ approve: z.boolean(), notes: z.string() });
    const reviewing = z.object({
      kind: z.literal('review'),
      reviewer: agentName('the reviewer', role('reviewer', 'ReviewSchema', ReviewSchema, ['approve'])),
    });
    const withOutput = (output: TeamReferences['agents'][number]['output']) =>
      issuesOf(team({ kind: 'review', reviewer: 'rev' }, [agent('rev', output)]), reviewing);
    expect(withOutput(json(ReviewSchema))).toEqual([]);
    expect(withOutput(json(z.object({ approve: z.boolean() })))).toEqual([]);
    const refused = [
      {
        path: ['topology', 'reviewer'],
        message:
          'reviewer "rev" has no ReviewSchema output: give it output: ReviewSchema (or a zod object extending it)',
      },
    ];
    expect(withOutput(json(z.object({ approve: z.string(), notes: z.string() })))).toEqual(refused);
    expect(withOutput(json(z.object({ notes: z.string() })))).toEqual(refused);
    expect(withOutput(text)).toEqual(refused);
  });

  it("runs a part's own check after that part's names, at the part's path", () => {
    expect(issuesOf(team({ kind: 'review', reviewer: 'judge', panel: ['judge', 'ghost'] }), ReviewSpecSchema)).toEqual([
      {
        path: ['topology', 'panel', 1],
        message:
          'panelist 2 names "ghost", which is neither an agent nor a sub-team of this team (members: judge, ana, bo, archive)',
      },
      { path: ['topology', 'panel'], message: 'the reviewer "judge" cannot sit on the panel' },
    ]);
  });

  it('asks each built-in role for the fields its topology reads', () => {
    const reads = Object.fromEntries(Object.values(ROLES).map((r) => [r.part, [r.schemaName, r.reads]]));
    expect(reads).toEqual({
      gate: ['VerdictSchema', ['approved', 'feedback']],
      supervisor: ['SupervisorDecisionSchema', ['done', 'answer', 'assignments']],
      router: ['RouteSchema', ['route']],
      debater: ['ArgumentSchema', ['position', 'argument']],
      judge: ['JudgmentSchema', ['decision']],
      'swarm agent': ['SwarmMoveSchema', ['claim', 'result', 'complete', 'newTasks', 'promising']],
      'handoff agent': ['HandoffSchema', ['handoffTo', 'answer']],
    });
  });
});

describe("the team spec's reference checks", () => {
  const spec = (agents: { name: string; output: unknown }[], topology: unknown, extra: object = {}) => ({
    name: 't',
    agents: agents.map((a) => ({ role: 'r', system: 's', ...a })),
    topology,
    ...extra,
  });
  const issues = (value: unknown): Issue[] => {
    const parsed = TeamSpecSchema.safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map(({ path, message }) => ({ path, message }));
  };
  const a = (name: string, schema?: z.ZodType) => ({ name, output: schema ? json(schema) : text });

  it('names each wrong member of every topology, and each agent without the output its part reads', () => {
    expect(
      issues(
        spec([a('w'), a('v')], {
          kind: 'pipeline',
          steps: [
            { agent: 'x', gate: { kind: 'agent', agent: 'w' } },
            { team: 'sub', gate: { kind: 'check', check: 'nope' } },
            { parallel: { members: ['w', 'y'], instructions: ['one'] }, gate: { kind: 'agent', agent: 'z' } },
          ],
        }),
      ),
    ).toEqual([
      {
        path: ['topology', 'steps', 0, 'agent'],
        message: 'step 1 names agent "x", which is not in the team (agents: w, v)',
      },
      {
        path: ['topology', 'steps', 0, 'gate', 'agent'],
        message: 'gate "w" has no VerdictSchema output: give it output: VerdictSchema (or a zod object extending it)',
      },
      {
        path: ['topology', 'steps', 1, 'team'],
        message: 'step 2 names team "sub", which is not a sub-team of this team (sub-teams: none)',
      },
      {
        path: ['topology', 'steps', 1, 'gate', 'check'],
        message: 'the gate of step 2 names check "nope", which the team does not define (checks: none)',
      },
      {
        path: ['topology', 'steps', 2, 'parallel', 'members', 1],
        message:
          'step 3, parallel member 2 names "y", which is neither an agent nor a sub-team of this team (members: w, v)',
      },
      {
        path: ['topology', 'steps', 2, 'parallel', 'instructions'],
        message: 'give one instruction per parallel member (2), or none',
      },
      {
        path: ['topology', 'steps', 2, 'gate', 'agent'],
        message: 'the gate of step 3 names agent "z", which is not in the team (agents: w, v)',
      },
    ]);
    expect(
      issues(
        spec([a('w'), a('v', VerdictSchema)], {
          kind: 'pipeline',
          steps: [{ agent: 'w', gate: { kind: 'agent', agent: 'v' } }],
        }),
      ),
    ).toEqual([]);

    expect(issues(spec([a('s'), a('w')], { kind: 'supervisor', supervisor: 's', workers: ['w', 'x'] }))).toEqual([
      {
        path: ['topology', 'supervisor'],
        message:
          'supervisor "s" has no SupervisorDecisionSchema output: give it output: SupervisorDecisionSchema (or a zod object extending it)',
      },
      {
        path: ['topology', 'workers', 1],
        message: 'worker 2 names "x", which is neither an agent nor a sub-team of this team (members: s, w)',
      },
    ]);
    expect(
      issues(spec([a('s', SupervisorDecisionSchema), a('w')], { kind: 'supervisor', supervisor: 's', workers: ['w'] })),
    ).toEqual([]);

    expect(issues(spec([a('w')], { kind: 'router', router: 'r', routes: ['w', 'x'] }))).toEqual([
      { path: ['topology', 'router'], message: 'the router names agent "r", which is not in the team (agents: w)' },
      {
        path: ['topology', 'routes', 1],
        message: 'route 2 names "x", which is neither an agent nor a sub-team of this team (members: w)',
      },
    ]);
    // A router is asked only for `route`, a judge only for `decision`: the fields the topology reads.
    const routeOnly = z.object({ route: z.string() });
    expect(
      issues(spec([a('r', routeOnly), a('w'), a('v')], { kind: 'router', router: 'r', routes: ['w', 'v'] })),
    ).toEqual([]);
    expect(
      issues(spec([a('r', RouteSchema), a('w'), a('v')], { kind: 'router', router: 'r', routes: ['w', 'v'] })),
    ).toEqual([]);

    expect(
      issues(
        spec([a('d1', ArgumentSchema), a('d2'), a('j')], {
          kind: 'debate',
          debaters: ['d1', 'd2', 'x'],
          decide: { by: 'judge', agent: 'j' },
        }),
      ),
    ).toEqual([
      {
        path: ['topology', 'debaters', 1],
        message:
          'debater "d2" has no ArgumentSchema output: give it output: ArgumentSchema (or a zod object extending it)',
      },
      {
        path: ['topology', 'debaters', 2],
        message: 'debater 3 names agent "x", which is not in the team (agents: d1, d2, j)',
      },
      {
        path: ['topology', 'decide', 'agent'],
        message:
          'judge "j" has no JudgmentSchema output: give it output: JudgmentSchema (or a zod object extending it)',
      },
    ]);
    expect(
      issues(
        spec([a('d1', ArgumentSchema), a('d2', ArgumentSchema), a('j', z.object({ decision: z.string() }))], {
          kind: 'debate',
          debaters: ['d1', 'd2'],
          decide: { by: 'judge', agent: 'j' },
        }),
      ),
    ).toEqual([]);
    expect(
      issues(
        spec([a('d1', ArgumentSchema), a('d2', ArgumentSchema)], {
          kind: 'debate',
          debaters: ['d1', 'd2'],
          decide: { by: 'vote' },
        }),
      ),
    ).toEqual([]);

    expect(
      issues(
        spec([a('s1', SwarmMoveSchema), a('s2', z.object({ claim: z.string() }))], {
          kind: 'swarm',
          agents: ['s1', 's2', 'x'],
        }),
      ),
    ).toEqual([
      {
        path: ['topology', 'agents', 1],
        message:
          'swarm agent "s2" has no SwarmMoveSchema output: give it output: SwarmMoveSchema (or a zod object extending it)',
      },
      {
        path: ['topology', 'agents', 2],
        message: 'swarm agent 3 names agent "x", which is not in the team (agents: s1, s2)',
      },
    ]);

    expect(
      issues(
        spec([a('h1', HandoffSchema), a('h2', HandoffSchema)], {
          kind: 'handoff',
          agents: ['h1', 'h2', 'x'],
          entry: 'h3',
        }),
      ),
    ).toEqual([
      {
        path: ['topology', 'agents', 2],
        message: 'handoff agent 3 names agent "x", which is not in the team (agents: h1, h2)',
      },
      { path: ['topology', 'entry'], message: 'entry "h3" is not one of the handoff agents (h1, h2, x)' },
    ]);
    expect(
      issues(
        spec([a('h1', HandoffSchema), a('h2', HandoffSchema)], { kind: 'handoff', agents: ['h1', 'h2'], entry: 'h2' }),
      ),
    ).toEqual([]);
  });
});
