import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { decodePayloadsIn } from '../../codec/index.js';

/**
 * A run's event history with its payloads decoded by the client's codecs (decrypted, when payloads
 * are encrypted), ready for readRunHistory. The server holds, and fetchHistory() returns, them encoded.
 */
export async function fetchRunHistory(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return decodePayloadsIn(history, client.options.loadedDataConverter.payloadCodecs);
}
