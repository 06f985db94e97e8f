import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeClient } from '../../src/client/troupe-client.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { uniqueId } from '../support/temporal.js';
import { until } from '../support/until.js';
import { startWorkerProcess, useWorkerCluster, type WorkerProcess } from '../support/worker-process.js';

// What a person waiting to decide, or deciding, sees of a gate: `troupe status`, `troupe pending`, a waiting `troupe run`.
const TEAMS = fileURLToPath(new URL('../support/teams.ts', import.meta.url));
const dev = useWorkerCluster();

// An approver must see every figure of what they approve: the amount and IBAN come last, past any one-line summary.
const INVOICE =
  'Pay invoice INV-7 of ACME Supplies GmbH for 40 pallets of paper, due 2026-12-31: EUR 12,345.67 to IBAN DE89 3704 0044 0532 0130 00';
const LONG = `Pay these invoices: ${Array.from({ length: 400 }, (_, i) => `INV-${String(i).padStart(4, '0')} EUR ${i}.00`).join('; ')}; END-OF-LIST`;

let double: MessagesApiDouble;
beforeAll(async () => {
  double = await startMessagesApiDouble(
    {
      drafter: [{ text: 'A draft.' }],
      'tool-team/researcher': [
        { toolUse: [{ name: 'publish', input: { text: INVOICE } }] },
        { json: { answer: 'published' } },
      ],
      'long-loop/researcher': [
        { toolUse: [{ name: 'publish', input: { text: LONG } }] },
        { json: { answer: 'published' } },
      ],
    },
    { apiKey: 'test-key' },
  );
});
afterAll(async () => {
  await double?.close();
});

const awaitingGate = (workflowId: string, gate: string) =>
  until(
    async () => (await new TroupeClient(dev.env.client, undefined).run(workflowId).progress())?.awaiting?.gate === gate,
    60_000,
  );

function worker(taskQueue: string): WorkerProcess {
  return startWorkerProcess(['--teams', TEAMS, '--task-queue', taskQueue], {
    ...dev.cluster,
    ANTHROPIC_BASE_URL: double.url,
  });
}

describe('troupe status of a running pipeline', () => {
  it('with a worker up, does not say that no worker answered (a pipeline has no shared state); with none, it does', async () => {
    const taskQueue = uniqueId('status-q');
    const workflowId = uniqueId('status-run');
    const up = worker(taskQueue);
    try {
      await up.ready;
      const started = await troupe(
        [
          '--teams',
          TEAMS,
          '--task-queue',
          taskQueue,
          'run',
          'approve-in-week',
          'Write',
          '--detach',
          '--workflow-id',
          workflowId,
        ],
        dev.cluster,
      );
      expect(started.code).toBe(0);
      await awaitingGate(workflowId, 'publish');

      const answered = await troupe(['status', workflowId], dev.cluster);
      expect(answered.code).toBe(0);
      expect(answered.stdout).toContain(`${workflowId}: RUNNING (team approve-in-week)`);
      expect(answered.stdout).toContain('Awaiting approval: gate "publish" by ana');
      expect(answered.stdout).not.toContain('No worker answered');

      up.child.kill('SIGINT');
      expect((await up.exited).code).toBe(0);
      const unanswered = await troupe(['status', workflowId], dev.cluster);
      expect(unanswered.code).toBe(0);
      expect(unanswered.stdout).toContain('No worker answered the progress query: start one with `troupe worker`.');
      expect(unanswered.stdout).not.toContain('Awaiting approval');
      const json = JSON.parse((await troupe(['status', workflowId, '--json'], dev.cluster)).stdout) as {
        progressError?: string;
        progress?: unknown;
      };
      expect(json).toMatchObject({ progressError: 'no-worker' });
      expect(json.progress).toBeUndefined();
    } finally {
      up.child.kill('SIGKILL');
      await dev.env.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
  }, 120_000);
});

describe('troupe pending shows what a tool call asks to do, whole', () => {
  it('--json carries the whole input; text prints it pretty; a very long one is cut saying how to see it all, and --full shows all', async () => {
    const taskQueue = uniqueId('pending-q');
    const invoiceRun = uniqueId('pending-invoice');
    const longRun = uniqueId('pending-long');
    const up = worker(taskQueue);
    try {
      await up.ready;
      for (const [team, workflowId] of [
        ['tool-team', invoiceRun],
        ['long-loop', longRun],
      ] as const) {
        const started = await troupe(
          [
            '--teams',
            TEAMS,
            '--task-queue',
            taskQueue,
            'run',
            team,
            'Pay what is due.',
            '--detach',
            '--workflow-id',
            workflowId,
          ],
          dev.cluster,
        );
        expect(started.code).toBe(0);
        await awaitingGate(workflowId, 'tool-publish');
      }

      const listed = await troupe(['pending', '--json'], dev.cluster);
      expect(listed.code).toBe(0);
      const runs = JSON.parse(listed.stdout) as {
        workflowId: string;
        awaiting?: { subject: string; from?: string; content?: unknown };
      }[];
      const invoice = runs.find((r) => r.workflowId === invoiceRun)?.awaiting;
      expect(invoice?.from).toBe('researcher → publish');
      expect(invoice?.content).toEqual({ tool: 'publish', input: { text: INVOICE } });
      expect(invoice?.subject.endsWith('…')).toBe(true); // the run's own summary is still short
      expect(runs.find((r) => r.workflowId === longRun)?.awaiting?.content).toEqual({
        tool: 'publish',
        input: { text: LONG },
      });

      const text = (await troupe(['pending'], dev.cluster)).stdout;
      expect(text).toContain(`${invoiceRun}  tool-team  gate "tool-publish" by ana until `);
      expect(text).toContain(
        [
          '    {',
          '      "tool": "publish",',
          '      "input": {',
          `        "text": "${INVOICE}"`,
          '      }',
          '    }',
        ].join('\n'),
      );
      expect(text).toContain('… (troupe pending --full shows all)');
      expect(text).not.toContain('END-OF-LIST');

      const full = (await troupe(['pending', '--full'], dev.cluster)).stdout;
      expect(full).toContain(`        "text": "${LONG}"`);
      expect(full).not.toContain('--full shows all');
    } finally {
      up.child.kill('SIGKILL');
      for (const id of [invoiceRun, longRun])
        await dev.env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    }
  }, 120_000);
});

describe('a troupe run waiting on a gate', () => {
  it('prints the gate, who may decide, the deadline and the exact command, which decides it as printed', async () => {
    const workflowId = uniqueId('waiting-run');
    const child = spawnTroupe(
      [
        '--teams',
        TEAMS,
        '--task-queue',
        uniqueId('waiting-q'),
        'run',
        'approve-in-week',
        'Write',
        '--workflow-id',
        workflowId,
      ],
      {
        ...dev.cluster,
        ANTHROPIC_BASE_URL: double.url,
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await until(() => stdout.includes('npx troupe reject'), 60_000);
      expect(stdout).toContain('⏸ Waiting for a decision on gate "publish": drafter: A draft.');
      expect(stdout).toMatch(/Who may decide: ana, until \d{4}-\d\d-\d\dT[\d:.]+Z\. From another terminal:/);
      // The dev server is not at localhost:7233, where `troupe approve` looks by default: the command says where.
      const approve = `TEMPORAL_ADDRESS=${dev.env.address} npx troupe approve ${workflowId} --by ana`;
      expect(stdout.split('\n').map((line) => line.trim())).toContain(approve);
      expect(stdout).toContain(
        `TEMPORAL_ADDRESS=${dev.env.address} npx troupe reject ${workflowId} --by ana --comment "why"`,
      );

      // Deciding with exactly what was printed (its environment and its arguments) lets the run finish.
      const [assignment = '', , , ...args] = approve.split(' ');
      const [name = '', value = ''] = assignment.split('=');
      const decided = await troupe(args, { [name]: value });
      expect(decided.stderr).toBe('');
      expect(decided.code).toBe(0);
      expect(await exited).toBe(0);
      expect(stdout).toContain('Result:');
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
