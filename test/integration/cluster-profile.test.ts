import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/protocol/messages.js';
import { connectFromEnv as connectClientFromEnv, TroupeClient } from '../../src/client/index.js';
import { ensureSearchAttributes } from '../../src/hosting/index.js';
import { startMessagesApiDouble, type MessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { connectFromEnv as connectWorkerFromEnv, createTroupeWorker } from '../../src/workers/index.js';
import { spawnTroupe, troupe } from '../support/cli.js';
import { registry } from '../support/teams.js';
import { uniqueId, useTemporal } from '../support/temporal.js';
import { generateCertificates, startMutualTlsProxy, type Certificates, type TlsProxy } from '../support/tls.js';
import { until } from '../support/until.js';

// One Temporal env-config file (TOML profiles) read alike by the troupe CLI, the client library
// (connectFromEnv in troupe/client) and the worker (connectFromEnv in troupe/worker), against a
// real dev server: a plain profile in its own namespace, and a mutual-TLS profile through a TLS
// proxy in front of the server (the dev server cannot serve TLS itself).
const temporal = useTemporal('dev-server');
const NAMESPACE = 'troupe-profile';
let certs: Certificates;
let proxy: TlsProxy;
let double: MessagesApiDouble;
let configFile: string;

beforeAll(async () => {
  await temporal.env.connection.workflowService.registerNamespace({
    namespace: NAMESPACE,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  certs = generateCertificates();
  proxy = await startMutualTlsProxy(temporal.env.address, certs);
  double = await startMessagesApiDouble(
    { drafter: [{ text: 'the draft' }], extractor: [{ json: { answer: 42 } }] },
    { apiKey: 'test-key' },
  );
  const tls = `client_cert_path = "${certs.clientCert}"\nclient_key_path = "${certs.clientKey}"\nserver_ca_cert_path = "${certs.caCert}"\nserver_name = "localhost"\n`;
  configFile = join(mkdtempSync(join(tmpdir(), 'troupe-profiles-')), 'temporal.toml');
  writeFileSync(
    configFile,
    [
      `[profile.plain]\naddress = "${temporal.env.address}"\nnamespace = "${NAMESPACE}"\n`,
      `[profile.mtls]\naddress = "${proxy.address}"\nnamespace = "${NAMESPACE}"\n[profile.mtls.tls]\n${tls}`,
      `[profile.no-client-cert]\naddress = "${proxy.address}"\nnamespace = "${NAMESPACE}"\n[profile.no-client-cert.tls]\nserver_ca_cert_path = "${certs.caCert}"\nserver_name = "localhost"\n`,
    ].join('\n'),
  );
  // A new namespace takes a moment to reach every part of the server.
  await until(async () =>
    temporal.env.client.workflowService.describeNamespace({ namespace: NAMESPACE }).then(
      () => true,
      () => false,
    ),
  );
  // Troupe's search attributes in the new namespace, as `troupe worker` and `troupe dev` add them.
  expect(await ensureSearchAttributes(inNamespace(), NAMESPACE)).toBe(true);
});
afterAll(async () => {
  await proxy?.close();
  await double?.close();
});

const inNamespace = () => new Client({ connection: temporal.env.connection, namespace: NAMESPACE });
const profile = (name: string): Record<string, string> => ({
  TEMPORAL_CONFIG_FILE: configFile,
  TEMPORAL_PROFILE: name,
});

/** A run through the client and worker of troupe/client and troupe/worker, both connected from `env` alone. */
async function runThroughLibrary(env: Record<string, string>): Promise<{ workflowId: string; result: RunResult }> {
  const taskQueue = uniqueId('tq-profile');
  const client = await connectClientFromEnv(env);
  const { connection, namespace } = await connectWorkerFromEnv(env);
  try {
    expect(client.options.namespace).toBe(NAMESPACE);
    expect(namespace).toBe(NAMESPACE);
    const worker = await createTroupeWorker({
      connection,
      namespace,
      taskQueue,
      teams: registry,
      anthropic: double.client(),
      workflowBundle: temporal.bundle,
    });
    const troupeClient = new TroupeClient(client, registry, { taskQueue, searchAttributes: true });
    return await worker.runUntil(async () => {
      const run = await troupeClient.start('extract-then-write', 'six times seven', {
        workflowId: uniqueId('profile-run'),
      });
      return { workflowId: run.workflowId, result: await run.result() };
    });
  } finally {
    await connection.close();
    await client.connection.close();
  }
}

describe('a Temporal env-config profile, for the CLI, the client and the worker', () => {
  it('a plain profile names the address and namespace; runs land in that namespace', async () => {
    const { workflowId, result } = await runThroughLibrary(profile('plain'));
    expect(result.output).toBe('the draft');
    // In the profile's namespace, not in "default".
    expect((await inNamespace().workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
    await expect(temporal.env.client.workflow.getHandle(workflowId).describe()).rejects.toThrow();

    const status = await troupe(['status', workflowId, '--json'], profile('plain'));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'COMPLETED', team: 'extract-then-write' });
    await until(async () => {
      const listed = await troupe(['list', '--json'], profile('plain'));
      return (
        listed.code === 0 &&
        (JSON.parse(listed.stdout) as { workflowId: string }[]).some((r) => r.workflowId === workflowId)
      );
    });
  });

  it('troupe run --detach and troupe worker, both from the profile alone', async () => {
    const args = ['--teams', 'test/support/teams.ts', '--task-queue', uniqueId('tq-profile-cli')];
    const worker = spawnTroupe([...args, 'worker'], {
      ...profile('plain'),
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: double.url,
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const detached = await troupe(
        [...args, 'run', 'extract-then-write', 'six times seven', '--detach'],
        profile('plain'),
      );
      expect(detached.code).toBe(0);
      const result = (await inNamespace().workflow.getHandle(detached.stdout.trim()).result()) as RunResult;
      expect(result.output).toBe('the draft');
      expect(output).toContain(`at ${temporal.env.address} (namespace ${NAMESPACE})`);
    } finally {
      worker.kill('SIGINT');
    }
  });

  it('a mutual-TLS profile: client certificate, CA and server name reach the CLI, the client and the worker', async () => {
    const before = proxy.clients.length;
    const { workflowId, result } = await runThroughLibrary(profile('mtls'));
    expect(result.output).toBe('the draft');
    const status = await troupe(['status', workflowId, '--json'], profile('mtls'));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'COMPLETED' });
    // The same settings as environment variables instead of a profile.
    const fromVariables = await troupe(['status', workflowId, '--json'], {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    expect(fromVariables.code, fromVariables.stderr).toBe(0);
    expect(JSON.parse(fromVariables.stdout)).toMatchObject({ status: 'COMPLETED' });
    // Every connection (client, worker, CLI twice) went through the proxy with the client certificate.
    expect(proxy.clients.length).toBeGreaterThanOrEqual(before + 4);
    expect(new Set(proxy.clients.slice(before))).toEqual(new Set(['troupe-client']));
  });

  it('without a client certificate the TLS cluster refuses the CLI and the client, with one clear line', async () => {
    const before = proxy.clients.length;
    const status = await troupe(['status', 'any-run'], profile('no-client-cert'));
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(`troupe: Cannot reach Temporal at ${proxy.address} (namespace "${NAMESPACE}")`);
    expect(status.stderr).not.toContain('    at ');
    await expect(connectClientFromEnv(profile('no-client-cert'))).rejects.toMatchObject({
      code: 'TEMPORAL_UNREACHABLE',
    });
    expect(proxy.clients.length).toBe(before);
  });
});
