import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';

/** A Temporal cluster Troupe is talking to: a configured one, or the embedded dev server. */
export interface TemporalTarget {
  readonly kind: 'configured' | 'embedded';
  readonly address: string;
  readonly namespace: string;
  readonly client: Client;
  /** For workers. */
  readonly nativeConnection: NativeConnection;
  /** The Temporal Web UI, when Troupe knows where it is. */
  readonly uiUrl: string | undefined;
  /** The codec server the UI decodes encrypted payloads through, when this process runs it (the embedded server, with encryption on). */
  readonly codecUrl?: string | undefined;
  /** Closes its connections; for the embedded server, stops the server (and its codec server) too. */
  close(): Promise<void>;
}
