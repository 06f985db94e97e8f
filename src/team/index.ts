/**
 * `troupe`: the team language. Define agents, tools, MCP servers and teams (`defineAgent`, `defineTool`,
 * `defineMcpServer`, `defineTeam`), the decision schemas that steer topologies, and `TeamRegistry`.
 * Deterministic: workflow code imports it too.
 *
 * @module troupe
 */
export { defineAgent, defineTeam, parseTeamInput, teamTree, DEFAULT_INPUT_SCHEMA } from './define.js';
export * from './decisions.js';
export type { AgentConfig, AgentDefinition, CheckFunction, Team, TeamConfig } from './define.js';
export { DurationSchema, type Duration } from './duration.js';
export { FailureType, TeamError, TeamErrorCode, TeamSpecError, TroupeError } from './errors.js';
export * from './spec.js';
export { VerdictSchema, type Verdict } from './verdict.js';
export { TeamRegistry } from './registry.js';
export * from './approval.js';
export {
  BUDGET_GATE,
  BudgetRaiseSchema,
  BudgetSpecSchema,
  type BudgetRaise,
  type BudgetSpec,
  type BudgetSpecInput,
} from './budget.js';
export { defineTool, ToolSpecSchema, type ToolConfig, type ToolDefinition, type ToolSpec } from './tool.js';
export {
  API_TOOL_NAME,
  defineMcpServer,
  describeConnection,
  mcpToolName,
  mcpToolNames,
  mcpToolOf,
  RESOURCE_TOOL,
  McpServerSpecSchema,
  type McpConnection,
  type McpHeaders,
  type McpServerConfig,
  type McpServerDefinition,
  type McpServerSpec,
} from './mcp.js';
