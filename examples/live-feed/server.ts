import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createOfflineAnthropic } from '../../src/activities/index.js';
import { serveFeed, TroupeClient } from '../../src/client/index.js';
import { openTarget } from '../../src/hosting/index.js';
import { TeamRegistry } from '../../src/team/index.js';
import { createModelClient, createTroupeWorker } from '../../src/workers/index.js';
import { offlineScript, teams } from '../index.js';

/**
 * A page that shows a run's agents writing, live: `GET /` is the page, `POST /runs` starts a run of
 * `team` with the request's body as its task, `GET /runs/<id>/feed` is the run's feed as
 * Server-Sent Events (serveFeed: it resumes after the Last-Event-ID a reconnecting EventSource
 * sends, or the `lastEventId` the page puts in the URL after a reload).
 */
export function createLiveFeedServer(troupe: TroupeClient, team: string): Server {
  const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8');
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.end();
      send(res, 500, { error: { message: (error as Error).message } });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const feed = /^\/runs\/([^/]+)\/feed$/.exec(pathname);
    if (req.method === 'GET' && pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (req.method === 'POST' && pathname === '/runs') {
      const task = (await bodyOf(req)).trim() || 'Why do durable workflows matter for LLM agents?';
      const run = await troupe.start(team, task);
      send(res, 201, { workflowId: run.workflowId, team });
    } else if (req.method === 'GET' && feed?.[1]) {
      await serveFeed(req, res, troupe, decodeURIComponent(feed[1]));
    } else {
      send(res, 404, { error: { message: `No ${req.method} ${pathname} here.` } });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('The task is too long.');
  }
  return body;
}

/**
 * Run as a program: the example teams on the embedded Temporal dev server (or the cluster the
 * environment names, as `troupe run` does), a worker in this process, and the page on PORT
 * (default 3000). Without ANTHROPIC_API_KEY the agents answer from the examples' scripted replies,
 * written a word at a time so the page has something to show.
 */
async function main(): Promise<void> {
  const team = process.env['TEAM'] ?? 'research-brief';
  const port = Number(process.env['PORT'] ?? 3000);
  const registry = new TeamRegistry(teams);
  registry.get(team); // an unknown TEAM fails here, naming the teams there are
  const model = createModelClient(offlineScript);
  const anthropic =
    model.mode === 'offline'
      ? createOfflineAnthropic(offlineScript, { record: false, tokenDelayMs: 30 }).anthropic
      : model.anthropic;
  console.log(model.description);

  const target = await openTarget();
  const taskQueue = 'troupe-live-feed-example';
  const worker = await createTroupeWorker({
    connection: target.nativeConnection,
    namespace: target.namespace,
    taskQueue,
    teams: registry,
    anthropic,
  });
  const working = worker.run();
  const server = createLiveFeedServer(new TroupeClient(target.client, registry, { taskQueue }), team);
  server.listen(port, () => {
    console.log(`Open http://localhost:${port} to start a run of ${team} and watch its agents write.`);
    if (target.uiUrl) console.log(`The Temporal UI: ${target.uiUrl}`);
  });

  await new Promise((resolve) => process.once('SIGINT', resolve));
  server.closeAllConnections();
  server.close();
  // Temporal's runtime stops workers on SIGINT by itself too.
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await working;
  await target.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
