import { ServiceError, isGrpcServiceError } from '@temporalio/client';
import { CliError } from '../errors.js';
import { TroupeClient } from '../../client/troupe-client.js';
import { connectForCommand } from '../connect.js';

const GRPC_INVALID_ARGUMENT = 3;

/** `troupe list`: Troupe runs with team, topology, status, tokens and estimated cost, filterable. */
export async function listCommand(options: {
  team?: string;
  status?: string;
  query?: string;
  limit?: number;
  json?: boolean;
  teams?: string;
}): Promise<number> {
  const target = await connectForCommand();
  try {
    const runs = await new TroupeClient(target.client, undefined)
      .list(
        {
          ...(options.team ? { team: options.team } : {}),
          ...(options.status ? { status: options.status } : {}),
          ...(options.query ? { query: options.query } : {}),
        },
        options.limit ?? 50,
      )
      .catch((error: unknown) => {
        // INVALID_ARGUMENT: Temporal could not parse the list filter, whose only free part is --query.
        if (
          options.query &&
          error instanceof ServiceError &&
          isGrpcServiceError(error.cause) &&
          Number(error.cause.code) === GRPC_INVALID_ARGUMENT
        ) {
          throw new CliError(
            'INVALID_QUERY',
            `--query "${options.query}" is not a valid Temporal list filter (Temporal says: ${error.cause.details}). Write it like "TroupeTokens > 1000" or "StartTime > '2025-01-01T00:00:00Z'"; see https://docs.temporal.io/list-filter.`,
          );
        }
        throw error;
      });
    if (options.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) console.log('No Troupe runs match.');
    for (const run of runs) {
      const cost = run.costUsd !== undefined ? `$${run.costUsd.toFixed(4)}` : '-';
      console.log(
        `${run.workflowId}  ${run.team ?? '-'}  ${run.topology}  ${run.status}  ${run.tokens ?? '-'} tokens  ${cost}  ${run.startTime.toISOString()}`,
      );
    }
    return 0;
  } finally {
    await target.close();
  }
}
