import { describe, expect, it } from 'vitest';
import { mcpResultBlocks } from '../../src/activities/mcp-result.js';

// Whatever an MCP tool returns reaches the model: in a block that carries it, or described. Never a throw.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('MCP results as content blocks', () => {
  it('passes text, images and text resources in their blocks', () => {
    const blocks = mcpResultBlocks({
      content: [
        { type: 'text', text: 'hello' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'the file' } },
      ],
    });
    expect(blocks.slice(0, 2)).toEqual([
      { type: 'text', text: 'hello' },
      { type: 'image', source: { type: 'base64', data: PNG, media_type: 'image/png' } },
    ]);
    expect(blocks[2]).toMatchObject({ type: 'document', source: { type: 'text', data: 'the file' } });
  });

  it('describes what the API cannot carry by its MIME type and size, and a link by its name and URI', () => {
    const blocks = mcpResultBlocks({
      content: [
        { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
        { type: 'resource', resource: { uri: 'file:///a.gz', mimeType: 'application/gzip', blob: 'AAAAAA==' } },
        { type: 'resource_link', uri: 'file:///b.md', name: 'b.md', mimeType: 'text/markdown', description: 'notes' },
        { type: 'image', data: 'AAAA', mimeType: 'image/tiff' },
      ],
    });
    expect(blocks.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual([
      '[audio (audio/wav, 3 bytes): the model cannot be given audio]',
      '[resource file:///a.gz (application/gzip, 4 bytes): a type the model cannot be given]',
      '[resource b.md at file:///b.md (text/markdown): notes]',
      '[image (image/tiff, 3 bytes): a type the model cannot be given]',
    ]);
  });

  it('gives structured content as JSON when no text came with it, and says so when nothing came', () => {
    expect(mcpResultBlocks({ content: [], structuredContent: { sum: 3 } })).toEqual([
      { type: 'text', text: '{"sum":3}' },
    ]);
    expect(mcpResultBlocks({ content: [{ type: 'text', text: '{"sum":3}' }], structuredContent: { sum: 3 } })).toEqual([
      { type: 'text', text: '{"sum":3}' },
    ]);
    expect(mcpResultBlocks({})).toEqual([{ type: 'text', text: '(the tool returned no content)' }]);
  });
});
