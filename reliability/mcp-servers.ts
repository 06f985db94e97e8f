/**
 * The MCP servers the harness kills: the Streamable HTTP one it runs itself (killed and started
 * again on the same port), and the stdio ones the workers start (killed; the workers start them
 * again). Both are the MCP SDK's own server, whose `tally` tool logs each execution.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { TALLY_SERVER } from './teams.js';

export class RestartableMcpHttpServer {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly log: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', TALLY_SERVER, '--http'], {
      env: { ...process.env, MCP_PORT: String(this.port), TALLY_LOG: this.log },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!said.includes('listening on')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`The MCP HTTP server did not start: ${said}`);
      await sleep(50);
    }
  }

  /** A crash: SIGKILL, then wait for it to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  killNow(): void {
    this.child?.kill('SIGKILL');
  }
}

/** SIGKILLs the stdio MCP servers the workers started; returns how many there were. */
export function killStdioMcpServers(): number {
  const found = spawnSync('pgrep', ['-f', `${TALLY_SERVER} stdio`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  return found.length;
}
