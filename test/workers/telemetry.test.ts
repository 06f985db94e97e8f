import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeClient } from '../../src/client/index.js';
import { createTroupeWorker, tracingMode, tracingPlugins } from '../../src/workers/index.js';
import { startMessagesApiDouble } from '../../src/testing/messages-api-double.js';
import { registry } from '../support/teams.js';
import { timeSkippingEnvironment, uniqueId } from '../support/temporal.js';

// OpenTelemetry tracing through the SDK's interceptors: off by default, spans for workflows and agent calls when on.
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env?.teardown();
});

describe('tracing', () => {
  it('is off unless an OTLP endpoint or TROUPE_TRACING is set', async () => {
    expect(await tracingPlugins({})).toEqual([]);
    expect(tracingMode({})).toBe('off');
    expect(tracingMode({ TROUPE_TRACING: 'console' })).toBe('console');
    expect(tracingMode({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe('otlp');
  });

  it('traces the workflow and each agent call', async () => {
    const exporter = new InMemorySpanExporter();
    const double = await startMessagesApiDouble({
      extractor: [{ json: { answer: 42 } }],
      drafter: [{ text: 'forty-two' }],
    });
    const taskQueue = uniqueId('traced');
    try {
      // No pre-built bundle: the plugin adds its workflow interceptors when the worker bundles.
      const worker = await createTroupeWorker({
        connection: env.nativeConnection,
        taskQueue,
        teams: registry,
        anthropic: double.client(),
        plugins: await tracingPlugins({}, exporter),
      });
      await worker.runUntil(async () => {
        const run = await new TroupeClient(env.client, registry, { taskQueue }).start(
          'extract-then-write',
          'six times seven',
          { workflowId: uniqueId('traced') },
        );
        await run.result();
      });
      const names = exporter.getFinishedSpans().map((span) => span.name);
      expect(names).toEqual(
        expect.arrayContaining(['RunWorkflow:pipeline', 'StartActivity:runAgent', 'RunActivity:runAgent']),
      );
      expect(names.filter((n) => n === 'RunActivity:runAgent')).toHaveLength(2);
    } finally {
      await double.close();
    }
  });
});
