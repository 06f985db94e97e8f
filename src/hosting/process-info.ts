import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What Troupe needs to know about another process: its parent and its command line. */
export interface ProcessInfo {
  ppid: number;
  /** The arguments joined with spaces. */
  command: string;
}

/**
 * Looks a process up by pid; undefined when it is gone. A zombie counts as gone: it holds no ports
 * and no files. Linux reads /proc (slim containers often have no `ps`); elsewhere (macOS) asks `ps`.
 */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return process.platform === 'linux' ? fromProc(pid) : fromPs(pid);
}

function fromProc(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The program name in parentheses may hold spaces and parentheses, so count fields after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { ppid: Number(ppid), command };
  } catch {
    return undefined;
  }
}

function fromPs(pid: number): ProcessInfo | undefined {
  try {
    const line = execFileSync('ps', ['-ww', '-o', 'ppid=,stat=,command=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!match || match[2]!.startsWith('Z')) return undefined;
    return { ppid: Number(match[1]), command: match[3]! };
  } catch {
    return undefined;
  }
}
