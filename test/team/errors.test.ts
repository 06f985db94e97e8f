import { describe, expect, it, vi } from 'vitest';
import { TeamError, TeamErrorCode, TeamRegistry, TeamSpecError, TroupeError } from '../../src/team/index.js';
import { ActivityError, ActivityErrorCode, ScriptedMessages } from '../../src/testing/index.js';
import { TestingError, TestingErrorCode } from '../../src/testing/index.js';
import {
  ClientError,
  ClientErrorCode,
  CodecError,
  CodecErrorCode,
  HostingError,
  HostingErrorCode,
} from '../../src/client/index.js';
import { WorkerError, WorkerErrorCode, parseWorkerLimits } from '../../src/workers/index.js';
import { CliError, CliErrorCode } from '../../src/cli/errors.js';
import { OLD_PAYLOAD_KEYS_VAR, payloadKeysFromEnv } from '../../src/codec/index.js';
import { portSetting } from '../../src/hosting/free-port.js';

interface Layer {
  name: string;
  Class: (abstract new (...args: never[]) => TroupeError) & {
    readonly codes: readonly string[] | undefined;
    isInstance(value: unknown): boolean;
  };
  codes: readonly string[];
  make: (code: string) => TroupeError;
}

// Each layer's error class with its catalogue and a way to make one of its errors.
const layers: readonly Layer[] = [
  {
    name: 'team',
    Class: TeamError,
    codes: TeamErrorCode,
    make: (code: string) => new TeamError(code as TeamErrorCode, 'm'),
  },
  {
    name: 'activities',
    Class: ActivityError,
    codes: ActivityErrorCode,
    make: (code: string) => new ActivityError(code as ActivityErrorCode, 'm'),
  },
  {
    name: 'codec',
    Class: CodecError,
    codes: CodecErrorCode,
    make: (code: string) => new CodecError(code as CodecErrorCode, 'm'),
  },
  {
    name: 'hosting',
    Class: HostingError,
    codes: HostingErrorCode,
    make: (code: string) => new HostingError(code as HostingErrorCode, 'm'),
  },
  {
    name: 'workers',
    Class: WorkerError,
    codes: WorkerErrorCode,
    make: (code: string) => new WorkerError(code as WorkerErrorCode, 'm'),
  },
  {
    name: 'client',
    Class: ClientError,
    codes: ClientErrorCode,
    make: (code: string) => new ClientError(code as ClientErrorCode, 'm'),
  },
  {
    name: 'cli',
    Class: CliError,
    codes: CliErrorCode,
    make: (code: string) => new CliError(code as CliErrorCode, 'm'),
  },
  {
    name: 'testing',
    Class: TestingError,
    codes: TestingErrorCode,
    make: (code: string) => new TestingError(code as TestingErrorCode, 'm'),
  },
];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the error family', () => {
  it.each(layers)(
    "$name's errors are TroupeErrors that carry each code of the catalogue, recognised by their own class only",
    ({ name, Class, codes, make }) => {
      expect(codes.length).toBeGreaterThan(0);
      expect(Class.codes).toEqual(codes);
      for (const code of codes) {
        const error = make(code);
        expect(error).toBeInstanceOf(TroupeError);
        expect(error).toBeInstanceOf(Class);
        expect(error.code).toBe(code);
        expect(error.message).toBe('m');
        expect(error.name).toBe(Class.name);
        expect(TroupeError.isInstance(error)).toBe(true);
        expect(Class.isInstance(error)).toBe(true);
        for (const other of layers.filter((l) => l.name !== name)) expect(other.Class.isInstance(error)).toBe(false);
      }
    },
  );

  it('no code belongs to two layers', () => {
    const all = layers.flatMap((l) => l.codes.map((code) => `${code}`));
    const repeated = all.filter((code, i) => all.indexOf(code) !== i);
    expect(repeated).toEqual([]);
    expect(all.every((code) => /^[A-Z][A-Z0-9_]*$/.test(code))).toBe(true);
  });

  it('a TeamSpecError is a TeamError with code INVALID_TEAM_SPEC, and lists the issues', () => {
    const error = new TeamSpecError('The team', ['agents: at least one']);
    expect(TeamError.isInstance(error)).toBe(true);
    expect(TeamSpecError.isInstance(error)).toBe(true);
    expect(TeamSpecError.isInstance(new TeamError('UNKNOWN_TEAM', 'm'))).toBe(false);
    expect(error.code).toBe('INVALID_TEAM_SPEC');
    expect(error.message).toBe('The team is not valid:\n  - agents: at least one');
  });

  it('isInstance narrows what other code threw: not plain errors, nor look-alikes with a code', () => {
    expect(TroupeError.isInstance(new Error('x'))).toBe(false);
    expect(TroupeError.isInstance(Object.assign(new Error('x'), { code: 'UNKNOWN_TEAM', name: 'TeamError' }))).toBe(
      false,
    );
    expect(TeamError.isInstance({ code: 'UNKNOWN_TEAM' })).toBe(false);
    expect(TroupeError.isInstance(undefined)).toBe(false);
    expect(TroupeError.isInstance('UNKNOWN_TEAM')).toBe(false);
    const error: unknown = new WorkerError('TSX_MISSING', 'm');
    // Compiles only because isInstance narrows `code` to the worker catalogue.
    if (WorkerError.isInstance(error)) expect(error.code satisfies WorkerErrorCode).toBe('TSX_MISSING');
    else expect.unreachable();
  });

  it('isInstance holds for an error made by another copy of Troupe, where instanceof does not', async () => {
    vi.resetModules();
    const copy = await import('../../src/team/errors.js');
    expect(copy.TroupeError).not.toBe(TroupeError);
    const foreign = new copy.TeamError('DUPLICATE_TEAM', 'm');
    expect(foreign).not.toBeInstanceOf(TroupeError);
    expect(TroupeError.isInstance(foreign)).toBe(true);
    expect(TeamError.isInstance(foreign)).toBe(true);
    expect(WorkerError.isInstance(foreign)).toBe(false);
    expect(copy.TroupeError.isInstance(new HostingError('PORT_IN_USE', 'm'))).toBe(true);
  });

  it("Troupe's own throw sites throw their layer's class", () => {
    expect(thrown(() => new TeamRegistry([]).get('nobody'))).toMatchObject({ name: 'TeamError', code: 'UNKNOWN_TEAM' });
    expect(CodecError.isInstance(thrown(() => payloadKeysFromEnv({ [OLD_PAYLOAD_KEYS_VAR]: 'old:AAAA' })))).toBe(true);
    expect(HostingError.isInstance(thrown(() => portSetting({ TROUPE_DEV_PORT: 'eighty' }, 'TROUPE_DEV_PORT')))).toBe(
      true,
    );
    expect(WorkerError.isInstance(thrown(() => parseWorkerLimits({ maxConcurrentCalls: 0 })))).toBe(true);
    const scripted = thrown(() => new ScriptedMessages({}, { record: false }).callsTo());
    expect(scripted).toMatchObject({ name: 'ActivityError', code: 'REQUESTS_NOT_RECORDED' });
    expect((scripted as Error).message).toContain('make it with record: true');
  });
});
