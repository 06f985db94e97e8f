import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { WorkerError } from './errors.js';

/**
 * Installs the process's Temporal runtime: SDK logs at TROUPE_LOG_LEVEL (warnings by default) and,
 * when TROUPE_METRICS_ADDRESS is set (e.g. 127.0.0.1:9464), worker and client metrics served in
 * Prometheus format at http://<address>/metrics. Both are off unless asked for. The SDK's logs (a
 * failed attempt, with its stack trace) go to stderr, or to `logTo` (e.g. a file). The native core's
 * errors stay on the console: forwarding them would keep the process alive after a command that
 * failed before any connection (the runtime shuts down only once a connection closes).
 */
export function installRuntime(env: NodeJS.ProcessEnv = process.env, logTo?: (entry: LogEntry) => void): void {
  const logLevel = env['TROUPE_LOG_LEVEL'] as LogLevel | undefined;
  const metricsAddress = env['TROUPE_METRICS_ADDRESS'];
  if (metricsAddress !== undefined && !/^[\w.-]+:\d{1,5}$/.test(metricsAddress)) {
    throw new WorkerError(
      'INVALID_METRICS_ADDRESS',
      `TROUPE_METRICS_ADDRESS "${metricsAddress}" is not host:port, e.g. 127.0.0.1:9464.`,
    );
  }
  Runtime.install({
    logger: logTo ? new DefaultLogger(logLevel ?? 'WARN', logTo) : new DefaultLogger(logLevel ?? 'WARN'),
    telemetryOptions: {
      // The native core's connection retries only warn: by default it speaks up for errors alone.
      logging: { filter: { core: logLevel ?? 'ERROR', other: logLevel ?? 'ERROR' }, console: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}

/**
 * OpenTelemetry tracing through the SDK's interceptors, off by default: on with
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) to export spans over
 * OTLP/HTTP, or TROUPE_TRACING=console to print them. Spans cover workflows, agent activities
 * and their handoffs, linked across workers.
 */
export async function tracingPlugins(
  env: NodeJS.ProcessEnv = process.env,
  exporter?: SpanExporter,
): Promise<OpenTelemetryPlugin[]> {
  const mode = exporter ? 'given' : tracingMode(env);
  if (mode === 'off') return [];
  // Loaded only when tracing is on: the OpenTelemetry packages are optional peer dependencies.
  const [
    { OTLPTraceExporter },
    { Resource },
    { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor },
    { OpenTelemetryPlugin },
  ] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@temporalio/interceptors-opentelemetry'),
  ]).catch((error: unknown) => {
    throw new WorkerError(
      'TRACING_PACKAGES_MISSING',
      `Tracing is on (${mode}) but its packages are not installed: npm install @temporalio/interceptors-opentelemetry @opentelemetry/sdk-trace-base @opentelemetry/resources @opentelemetry/exporter-trace-otlp-http (${(error as Error).message}).`,
    );
  });
  const spanExporter = exporter ?? (mode === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter());
  const resource = new Resource({ 'service.name': env['OTEL_SERVICE_NAME'] ?? 'troupe-worker' });
  const spanProcessor = exporter ? new SimpleSpanProcessor(spanExporter) : new BatchSpanProcessor(spanExporter);
  // Workflow spans leave the sandbox through the plugin's sink; activity spans use the global
  // provider, which OpenTelemetry lets a process register once.
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  provider.register();
  return [new OpenTelemetryPlugin({ resource, spanProcessor })];
}

/** Where spans go, from the environment: nowhere (the default), the console, or an OTLP endpoint. */
export function tracingMode(env: NodeJS.ProcessEnv = process.env): 'off' | 'console' | 'otlp' {
  if (env['TROUPE_TRACING'] === 'console') return 'console';
  return env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? 'otlp' : 'off';
}
