import { WorkflowNotFoundError, isGrpcServiceError } from '@temporalio/client';
import { CliError } from '../errors.js';
import { readRunHistory } from '../../client/history/read-history.js';
import { fetchRunHistory } from '../../client/history/fetch-history.js';
import { historyAsMermaid, historyAsText } from '../render-history.js';
import { connectForCommand } from '../connect.js';

const GRPC_NOT_FOUND = 5;

/** `troupe history <workflowId>`: the chain of handoffs from the run's event history, sub-teams included. */
export async function historyCommand(workflowId: string, options: { format?: string }): Promise<number> {
  const format = options.format ?? 'text';
  if (!['text', 'json', 'mermaid'].includes(format))
    throw new CliError('INVALID_FORMAT', `--format ${format} is not a format: use text, json or mermaid.`);
  const target = await connectForCommand();
  try {
    const fetch = (id: string) => fetchRunHistory(target.client, id);
    const history = await fetch(workflowId).catch((error: unknown) => {
      // fetchHistory() passes on the raw gRPC NOT_FOUND rather than a WorkflowNotFoundError.
      if (
        error instanceof WorkflowNotFoundError ||
        (isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND)
      ) {
        throw new CliError(
          'RUN_NOT_FOUND',
          `No run "${workflowId}" in namespace "${target.namespace}" at ${target.address}: check the workflow id (\`troupe list\` shows the runs there).`,
        );
      }
      throw error;
    });
    const run = await readRunHistory(workflowId, history, (id) => fetch(id).catch(() => undefined));
    console.log(
      format === 'json'
        ? JSON.stringify(run, null, 2)
        : format === 'mermaid'
          ? historyAsMermaid(run)
          : historyAsText(run),
    );
    return 0;
  } finally {
    await target.close();
  }
}
