import { createHash } from 'node:crypto';
import type { AgentSpec } from '../team/spec.js';

/**
 * What the worker acts on in an agent's spec, each hashed on its own so a mismatch names the field.
 * Names and order are part of the fingerprint's format (FINGERPRINT_VERSION): change them only with a new version.
 */
const FIELDS: [name: string, value: (agent: AgentSpec) => unknown][] = [
  ['system prompt', (agent) => agent.system],
  ['model', (agent) => agent.model],
  ['cheaper model', (agent) => agent.cheaperModel ?? null],
  ['maxTokens', (agent) => agent.maxTokens],
  ['output', (agent) => agent.output],
  ['input schema', (agent) => agent.acceptsInput],
  // What the model is told of each tool (the worker sends its own definitions).
  ['tools', (agent) => agent.tools.map((tool) => [tool.name, tool.description, tool.inputSchema ?? null])],
  [
    'MCP servers',
    (agent) =>
      agent.mcp.map(({ name, tools, prefix, resources, prompts }) =>
        prefix === undefined && !resources && !prompts
          ? [name, tools]
          : [name, tools, prefix ?? null, resources ?? false, prompts ?? []],
      ),
  ],
  ['server tools', (agent) => agent.serverTools],
  ['delegates', (agent) => agent.delegates],
];
export const FINGERPRINT_VERSION = 'v1';

const fingerprints = new WeakMap<AgentSpec, string>();

/**
 * A short digest of an agent's spec: the client puts it in the run spec, and the workflow sends it
 * in each agent call instead of the whole spec (system prompt, JSON schema), which the run's start
 * already records. The worker checks its own definition against it, as it would against the spec.
 */
export function agentFingerprint(agent: AgentSpec): string {
  let fingerprint = fingerprints.get(agent);
  if (fingerprint === undefined) {
    const hashes = FIELDS.map(([, value]) =>
      createHash('sha256')
        .update(JSON.stringify(value(agent)))
        .digest('hex')
        .slice(0, 8),
    );
    fingerprints.set(agent, (fingerprint = [FINGERPRINT_VERSION, ...hashes].join('.')));
  }
  return fingerprint;
}

/** Whether this worker reads a fingerprint of this format (a newer client's may not be). */
export function readableFingerprint(fingerprint: string): boolean {
  const [version, ...hashes] = fingerprint.split('.');
  return version === FINGERPRINT_VERSION && hashes.length === FIELDS.length;
}

/** The fields in which a run's fingerprint and the worker's differ (both readable). */
export function fingerprintDifferences(run: string, worker: string): string[] {
  const runHashes = run.split('.').slice(1);
  const workerHashes = worker.split('.').slice(1);
  return FIELDS.flatMap(([name], i) => (runHashes[i] === workerHashes[i] ? [] : [name]));
}
