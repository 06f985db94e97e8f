import { createRunAgent, type AgentActivityDeps } from './run-agent.js';
import { createRunCheck } from './run-check.js';
import { createSendReminder } from './send-reminder.js';

export type { AgentCallInput, AgentCallResult, AgentActivityDeps } from './run-agent.js';
export type { CheckInput } from './run-check.js';
export { classifyModelError, retryAfterMs } from './model-errors.js';
export { createOfflineAnthropic } from './providers/offline.js';
export { ScriptedMessages, AGENT_HEADER, NO_SCRIPTED_REPLY, RUN_HEADER, TEAM_HEADER } from './providers/scripted-messages.js';
export type { MessagesScript, ScriptedReply, RecordedRequest, ScriptedResponse } from './providers/scripted-messages.js';

/** Every activity Troupe registers, built from the outside world it may touch. */
export function createActivities(deps: AgentActivityDeps) {
  return {
    runAgent: createRunAgent(deps),
    runCheck: createRunCheck(deps),
    sendReminder: createSendReminder(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
