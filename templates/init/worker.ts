import { NativeConnection } from '@temporalio/worker';
import { TeamRegistry } from 'troupe';
import { createModelClient, createTroupeWorker, verifyModelAccess } from 'troupe/worker';
import { offlineScript, teams } from './teams.js';

// A standalone worker for a Temporal cluster (TEMPORAL_ADDRESS, default localhost:7233): it runs
// every topology from Troupe's prebuilt workflows and calls Claude (or the offline script).
const model = createModelClient(offlineScript);
await verifyModelAccess(model);
console.log(model.description);
const connection = await NativeConnection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? 'localhost:7233' });
const worker = await createTroupeWorker({ connection, teams: new TeamRegistry(teams), anthropic: model.anthropic });
await worker.run();
