import { describe, expect, it } from 'vitest';
import { defineAgent, defineMcpServer, mcpToolName, mcpToolOf } from '../../src/team/index.js';

// An MCP server's definition is checked where it is written, not when a worker starts or the API refuses a name.
const server = (extra: Partial<Parameters<typeof defineMcpServer>[0]> = {}) =>
  defineMcpServer({ name: 'files', command: 'node', args: ['fs.js'], tools: ['read_text_file'], ...extra });

describe('defineMcpServer', () => {
  it('refuses a tool name the Messages API would refuse', () => {
    expect(() => server({ tools: ['files.read'] })).toThrow(
      /the model's API accepts tool names of letters, digits, "_" and "-" only .*"files\.read"/,
    );
  });

  it('names tools under the prefix, and finds the MCP name back', () => {
    const fs = server({ prefix: 'fs' });
    expect(mcpToolName(fs.spec, 'read_text_file')).toBe('fs_read_text_file');
    expect(mcpToolOf(fs.spec, 'fs_read_text_file')).toBe('read_text_file');
    expect(mcpToolOf(fs.spec, 'read_text_file')).toBeUndefined();
    expect(() => server({ prefix: 'f.s' })).toThrow(/prefix/);
  });

  it('lets one agent use two servers with the same tool only under prefixes, and says so', () => {
    const agent = (servers: ReturnType<typeof server>[]) =>
      defineAgent({ name: 'reader', role: 'r', system: 's', output: 'text', mcp: servers });
    expect(() =>
      agent([server(), defineMcpServer({ name: 'other-files', command: 'node', tools: ['read_text_file'] })]),
    ).toThrow(/two tools are named "read_text_file".*prefix/);
    expect(
      agent([
        server({ prefix: 'a' }),
        defineMcpServer({ name: 'other-files', command: 'node', tools: ['read_text_file'], prefix: 'b' }),
      ]).spec.mcp,
    ).toHaveLength(2);
  });

  it('keeps connection settings where they belong', () => {
    expect(() => defineMcpServer({ name: 'x', command: 'node', headers: { a: 'b' }, tools: ['t'] })).toThrow(
      /headers and authProvider are for a server at a url/,
    );
    expect(() => defineMcpServer({ name: 'x', url: 'http://127.0.0.1:1/mcp', env: { A: 'b' }, tools: ['t'] })).toThrow(
      /env and cwd are for a server the worker starts/,
    );
  });

  it('turns approval settings into a gate spec the workflow can read', () => {
    expect(server({ approval: { approvers: ['ana'] } }).spec.approval).toMatchObject({
      approvers: ['ana'],
      when: 'always',
    });
    expect(server({ approveDestructive: true }).spec.approval).toMatchObject({ approvers: ['*'], when: 'requested' });
    expect(server().spec.approval).toBeUndefined();
  });
});
