import type { RunSpec } from '../../../protocol/run-spec.js';
import type { Ledger } from '../ledger/index.js';
import type { Transcript } from '../transcript.js';
import { CustomTools } from './custom-tool.js';
import { DelegateTools, type Delegation } from './delegate-tool.js';
import { McpTools } from './mcp-tool.js';
import { ServerTools } from './server-tool.js';
import type { ToolKind } from './tool-kind.js';

/**
 * Every kind of tool, in the order a call's name is matched (a delegation first, then an MCP
 * server's tool, then the agent's own). A new kind is registered here.
 */
export function toolKinds(
  run: RunSpec,
  parts: { ledger: Ledger; transcript: Transcript; delegation: Delegation },
): ToolKind[] {
  return [
    new DelegateTools(run.team, parts.ledger, parts.transcript, parts.delegation),
    new McpTools(run),
    new CustomTools(run),
    new ServerTools(),
  ];
}
