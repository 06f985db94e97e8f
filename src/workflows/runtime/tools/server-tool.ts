import type { ToolOutcome } from '../../../activities/index.js';
import type { ToolKind } from './tool-kind.js';

/**
 * The API's server tools (web search, code execution): Anthropic runs them inside the model turn,
 * so the loop never sees a call of one. Their definitions are part of the agent's spec.
 */
export class ServerTools implements ToolKind {
  /** None the loop runs: an agent with only server tools answers in one call. */
  has(): boolean {
    return false;
  }

  owns(): boolean {
    return false;
  }

  names(): string[] {
    return [];
  }

  estimate(): number {
    return 0;
  }

  approval(): undefined {
    return undefined;
  }

  dispatch(): Promise<ToolOutcome> {
    return Promise.reject(new Error('server tools run on the API side: the loop never dispatches one'));
  }
}
