import type { AgentSpec } from '../team/spec.js';

/**
 * An agent as an agent call names it: who (for the history and the UI), the model asked for (the
 * cheaper one once the budget runs low) and the fingerprint of its spec, which the worker checks
 * against its own definition. The whole spec is in the run's start, once.
 */
export type AgentRef = Pick<AgentSpec, 'name' | 'role' | 'model'> & { fingerprint: string };

/** What an agent call sends of its agent: a reference, or the whole spec for runs started without fingerprints. */
export function agentInCall(agent: AgentSpec): AgentSpec | AgentRef {
  return agent.fingerprint === undefined
    ? agent
    : { name: agent.name, role: agent.role, model: agent.model, fingerprint: agent.fingerprint };
}

/** Whether an agent call carries a reference to its agent (by fingerprint) rather than the whole spec. */
export function isAgentRef(agent: AgentSpec | AgentRef): agent is AgentRef {
  return !('system' in agent);
}
