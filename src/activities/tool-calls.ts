import type { ToolResultBlock } from './mcp-result.js';

/** What the workflow and the tool loop's activities exchange about tool calls: small, by reference when large. */

/** A tool call the model asked for in its turn. */
export interface ToolUse {
  id: string;
  name: string;
  input: unknown;
}

/** The outcome of a tool call, as the model will see it: inline when small, else by claim-check key. */
export interface ToolOutcome {
  toolUseId: string;
  isError: boolean;
  /** Text, or content blocks (an MCP tool's images and documents). */
  content?: string | ToolResultBlock[];
  /** The claim-check key of a large result (text or blocks). */
  ref?: string;
  /** The full result's size, and its start, for the transcript and the history. */
  bytes: number;
  preview: string;
}

/** Results up to this size travel inline through history; larger ones by reference. */
export const INLINE_RESULT_BYTES = 2_048;
