import { createRunAgent, type AgentActivityDeps } from './run-agent.js';
import { createRunCheck } from './run-check.js';
import { createRunModelTurn } from './run-model-turn.js';
import { createRunTool, createToolNeedsApproval } from './run-tool.js';
import { createRunMcpTool, type McpServers } from './run-mcp-tool.js';
import { createMcpToolsSize } from './mcp-tools-size.js';
import { createSendReminder } from './send-reminder.js';
import { createVerifyDecision } from './verify-decision.js';
import type { PayloadStore } from './payload-store.js';

export type { AgentCallInput, AgentCallResult, AgentActivityDeps } from './run-agent.js';
export type { CheckInput } from './run-check.js';
export { classifyModelError, retryAfterMs } from './model-errors.js';
export { createOfflineAnthropic } from './providers/offline.js';
export {
  ScriptedMessages,
  ACTIVITY_HEADER,
  AGENT_HEADER,
  ATTEMPT_HEADER,
  NO_SCRIPTED_REPLY,
  RUN_HEADER,
  TEAM_HEADER,
  TURN_HEADER,
} from './providers/scripted-messages.js';
export type {
  MessagesScript,
  ScriptedReply,
  RecordedRequest,
  ScriptedResponse,
} from './providers/scripted-messages.js';

export type { ModelTurnInput, ModelTurnResult } from './run-model-turn.js';
export type { ToolCallInput } from './run-tool.js';
export type { McpCallOptions, McpOpenConnection, McpServerLink, McpServers, McpToolCallInput } from './run-mcp-tool.js';
export type { ToolResultBlock } from './mcp-result.js';
export { describeCauses } from './error-causes.js';
export type { ToolOutcome, ToolUse } from './tool-calls.js';
export { createFilePayloadStore, type PayloadStore } from './payload-store.js';
export type { DecisionVerdict, VerifyDecisionInput } from './verify-decision.js';
export { createFileAnswerJournal, answerKey, ANSWER_JOURNAL_MAX_AGE_MS, type AnswerJournal } from './answer-journal.js';
export { ActivityError, ActivityErrorCode } from './errors.js';

/** Every activity Troupe registers, built from the outside world it may touch. */
export function createActivities(deps: AgentActivityDeps & { payloads: PayloadStore; mcp?: McpServers }) {
  return {
    runAgent: createRunAgent(deps),
    runModelTurn: createRunModelTurn(deps),
    runTool: createRunTool(deps),
    runMcpTool: createRunMcpTool({ mcp: deps.mcp, payloads: deps.payloads, answers: deps.answers }),
    toolNeedsApproval: createToolNeedsApproval(deps),
    mcpToolsSize: createMcpToolsSize(deps),
    runCheck: createRunCheck(deps),
    sendReminder: createSendReminder(deps),
    verifyDecision: createVerifyDecision(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
