import { mcpContent, type MCPToolResultContentLike } from '@anthropic-ai/sdk/helpers/beta/mcp';
import type { DocumentBlockParam, ImageBlockParam, TextBlockParam } from '@anthropic-ai/sdk/resources/messages';

/** What a tool result can carry to the model. */
export type ToolResultBlock = TextBlockParam | ImageBlockParam | DocumentBlockParam;

/** An MCP tool's result as the server sent it (`CallToolResult`). */
export interface McpCallResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
}

/**
 * An MCP result in the content blocks the Messages API carries: text as text, images as image blocks,
 * embedded text and PDF resources as documents (through the SDK's `mcpContent`). What the API cannot
 * carry (audio, other binary resources) is described by its MIME type and size, and a resource link
 * by its name and URI: the tool has run, so its result is never turned into a failure.
 */
export function mcpResultBlocks(result: McpCallResult): ToolResultBlock[] {
  const blocks = (result.content ?? []).map((block) => toBlock(block as MCPToolResultContentLike));
  // Structured content goes to the model as JSON when the server sent no text beside it.
  if (result.structuredContent !== undefined && !blocks.some((b) => b.type === 'text'))
    blocks.push({ type: 'text', text: JSON.stringify(result.structuredContent) });
  return blocks.length ? blocks : [{ type: 'text', text: '(the tool returned no content)' }];
}

/** The text of a result's blocks, for the transcript's preview and for results shown as text. */
export function blocksText(blocks: readonly ToolResultBlock[]): string {
  return blocks
    .map((b) =>
      b.type === 'text'
        ? b.text
        : b.type === 'image'
          ? `[image ${b.source.type === 'base64' ? b.source.media_type : 'url'}]`
          : `[document${b.source.type === 'text' ? `: ${b.source.data}` : ''}]`,
    )
    .join('\n');
}

function toBlock(block: MCPToolResultContentLike): ToolResultBlock {
  try {
    // The helper marks its blocks with a symbol-keyed property: a copy of the string keys is what travels.
    return Object.fromEntries(Object.entries(mcpContent(block))) as ToolResultBlock;
  } catch {
    return { type: 'text', text: described(block) };
  }
}

function described(block: MCPToolResultContentLike): string {
  switch (block.type) {
    case 'audio':
      return `[audio (${block.mimeType}, ${base64Bytes(block.data)} bytes): the model cannot be given audio]`;
    case 'image':
      return `[image (${block.mimeType}, ${base64Bytes(block.data)} bytes): a type the model cannot be given]`;
    case 'resource_link':
      return `[resource ${block.name ?? ''} at ${block.uri}${block.mimeType ? ` (${block.mimeType})` : ''}${'description' in block && typeof block.description === 'string' ? `: ${block.description}` : ''}]`;
    case 'resource': {
      const resource = block.resource;
      const size = 'blob' in resource ? `${base64Bytes(resource.blob)} bytes` : `${resource.text.length} characters`;
      return `[resource ${resource.uri} (${resource.mimeType ?? 'no MIME type'}, ${size}): a type the model cannot be given]`;
    }
    default:
      return `[${String((block as { type?: unknown }).type)} content: a type the model cannot be given]`;
  }
}

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}
