import type { z } from 'zod';
import type { AgentSpec, PipelineStepSpec, TeamSpec } from './spec.js';

/** The output an agent needs for the part it plays: the properties its JSON schema must declare. */
const CONTRACTS = {
  gate: { schema: 'VerdictSchema', properties: { approved: 'boolean', feedback: 'string' } },
  supervisor: { schema: 'SupervisorDecisionSchema', properties: { done: 'boolean', answer: 'string', assignments: 'array' } },
  router: { schema: 'RouteSchema', properties: { route: 'string' } },
  debater: { schema: 'ArgumentSchema', properties: { position: 'string', argument: 'string' } },
  judge: { schema: 'JudgmentSchema', properties: { decision: 'string' } },
  'swarm agent': { schema: 'SwarmMoveSchema', properties: { claim: 'string', result: 'string', complete: 'boolean', newTasks: 'array', promising: 'array' } },
  'handoff agent': { schema: 'HandoffSchema', properties: { handoffTo: 'string', answer: 'string' } },
} as const;

type Part = keyof typeof CONTRACTS;
type Path = (string | number)[];
type Team = Omit<TeamSpec, never>;

/**
 * Checks that every name a team's topology uses is a member of the right kind (an agent, a
 * sub-team, a check), and that agents steering the topology return the output it reads.
 */
export function validateReferences(team: Team, ctx: z.RefinementCtx): void {
  const agents = new Map<string, AgentSpec>();
  team.agents.forEach((agent, i) => {
    if (agents.has(agent.name)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'name'], message: `agent "${agent.name}" is defined twice` });
    agents.set(agent.name, agent);
  });
  const subteams = new Set(team.subteams);
  team.subteams.forEach((name, i) => {
    if (agents.has(name)) ctx.addIssue({ code: 'custom', path: ['subteams', i], message: `sub-team "${name}" has the name of an agent of this team: rename one, so each member name means one thing` });
  });
  const members = [...agents.keys(), ...subteams];
  const list = (names: Iterable<string>) => [...names].join(', ') || 'none';

  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const agent = (name: string, path: Path, what: string, part?: Part) => {
    const found = agents.get(name);
    if (!found) return issue(path, `${what} names agent "${name}", which is not in the team (agents: ${list(agents.keys())})`);
    if (part && !declares(found, CONTRACTS[part].properties)) {
      issue(path, `${part} "${name}" has no ${CONTRACTS[part].schema} output: give it output: ${CONTRACTS[part].schema} (or a zod object extending it)`);
    }
  };
  const member = (name: string, path: Path, what: string) => {
    if (!agents.has(name) && !subteams.has(name)) issue(path, `${what} names "${name}", which is neither an agent nor a sub-team of this team (members: ${list(members)})`);
  };

  // A fallback is one hop: when the fallback fails too, the call fails (its own fallback is not tried).
  team.agents.forEach((a, i) => {
    if (a.fallback === a.name) issue(['agents', i, 'fallback'], 'an agent cannot be its own fallback');
    else if (a.fallback !== undefined && !agents.has(a.fallback)) issue(['agents', i, 'fallback'], `fallback "${a.fallback}" is not an agent of this team (agents: ${list(agents.keys())})`);
    else if (a.fallback !== undefined && agents.get(a.fallback)?.fallback === a.name) {
      issue(['agents', i, 'fallback'], `"${a.name}" and "${a.fallback}" are each other's fallback: a fallback is one hop, so give only one of them the other as fallback`);
    }
  });

  team.agents.forEach((a, i) => {
    a.delegates.forEach((d, j) => {
      if (d === a.name) issue(['agents', i, 'delegates', j], 'an agent cannot delegate to itself');
      else if (!agents.has(d) && !subteams.has(d)) issue(['agents', i, 'delegates', j], `"${d}" is neither an agent nor a sub-team of this team (members: ${list(members)}): delegate only to members`);
    });
  });

  const topology = team.topology;
  const at = (...path: Path): Path => ['topology', ...path];
  switch (topology.kind) {
    case 'pipeline':
      topology.steps.forEach((step, i) => validateStep(step, i, at('steps', i)));
      break;
    case 'supervisor':
      agent(topology.supervisor, at('supervisor'), 'the supervisor', 'supervisor');
      topology.workers.forEach((w, i) => member(w, at('workers', i), `worker ${i + 1}`));
      break;
    case 'router':
      agent(topology.router, at('router'), 'the router', 'router');
      topology.routes.forEach((r, i) => member(r, at('routes', i), `route ${i + 1}`));
      break;
    case 'debate':
      topology.debaters.forEach((d, i) => agent(d, at('debaters', i), `debater ${i + 1}`, 'debater'));
      if (topology.decide.by === 'judge') agent(topology.decide.agent, at('decide', 'agent'), 'the judge', 'judge');
      break;
    case 'swarm':
      topology.agents.forEach((a, i) => agent(a, at('agents', i), `swarm agent ${i + 1}`, 'swarm agent'));
      break;
    case 'handoff':
      topology.agents.forEach((a, i) => agent(a, at('agents', i), `handoff agent ${i + 1}`, 'handoff agent'));
      if (!topology.agents.includes(topology.entry)) issue(at('entry'), `entry "${topology.entry}" is not one of the handoff agents (${list(topology.agents)})`);
      break;
  }

  function validateStep(step: PipelineStepSpec, i: number, path: Path): void {
    const what = `step ${i + 1}`;
    if ('agent' in step) agent(step.agent, [...path, 'agent'], what);
    if ('team' in step && !subteams.has(step.team)) issue([...path, 'team'], `${what} names team "${step.team}", which is not a sub-team of this team (sub-teams: ${list(subteams)})`);
    if ('parallel' in step) {
      step.parallel.members.forEach((m, j) => member(m, [...path, 'parallel', 'members', j], `${what}, parallel member ${j + 1}`));
      const instructions = step.parallel.instructions;
      if (instructions && instructions.length !== step.parallel.members.length) {
        issue([...path, 'parallel', 'instructions'], `give one instruction per parallel member (${step.parallel.members.length}), or none`);
      }
    }
    const gate = step.gate;
    if (gate?.kind === 'agent') agent(gate.agent, [...path, 'gate', 'agent'], `the gate of ${what}`, 'gate');
    if (gate?.kind === 'check' && !team.checks.includes(gate.check)) {
      issue([...path, 'gate', 'check'], `the gate of ${what} names check "${gate.check}", which the team does not define (checks: ${list(team.checks)})`);
    }
  }
}

function declares(agent: AgentSpec, properties: Record<string, string>): boolean {
  if (agent.output.kind !== 'json') return false;
  const declared = agent.output.jsonSchema['properties'] as Record<string, { type?: unknown }> | undefined;
  return Object.entries(properties).every(([name, type]) => declared?.[name]?.type === type);
}
