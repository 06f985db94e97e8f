import { loadTeamsModule } from '../../workers/index.js';
import { TroupeClient } from '../troupe-client.js';
import { connectForCommand } from './connect.js';

/** `troupe list`: Troupe runs with team, topology, status, tokens and estimated cost, filterable. */
export async function listCommand(options: { team?: string; status?: string; query?: string; limit?: string; json?: boolean; teams?: string }): Promise<number> {
  const teams = await loadTeamsModule(options.teams);
  const target = await connectForCommand();
  try {
    const runs = await new TroupeClient(target.client, teams.registry).list(
      { ...(options.team ? { team: options.team } : {}), ...(options.status ? { status: options.status } : {}), ...(options.query ? { query: options.query } : {}) },
      Number(options.limit ?? 50),
    );
    if (options.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) console.log('No Troupe runs match.');
    for (const run of runs) {
      const cost = run.costUsd !== undefined ? `$${run.costUsd.toFixed(4)}` : '-';
      console.log(`${run.workflowId}  ${run.team ?? '-'}  ${run.topology}  ${run.status}  ${run.tokens ?? '-'} tokens  ${cost}  ${run.startTime.toISOString()}`);
    }
    return 0;
  } finally {
    await target.close();
  }
}
