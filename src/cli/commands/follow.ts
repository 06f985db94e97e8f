import { ClientError } from '../../client/errors.js';
import { describeFailure } from '../../client/failure.js';
import { feedEnd } from '../../client/feed-stream.js';
import { TroupeClient } from '../../client/troupe-client.js';
import type { TemporalTarget } from '../../hosting/index.js';
import { connectForCommand } from '../connect.js';
import { decideHint } from '../decide-hint.js';
import { CliError } from '../errors.js';
import { untilInterrupted } from '../local-stack.js';
import { formatResult } from '../render.js';
import { JsonFeedView, LineFeedView, LiveFeedView, wantsLiveView, type FeedView } from '../render-feed.js';

export interface FollowCommandOptions {
  /** The feed offset to start at (default 0: the whole feed). */
  from?: number;
  /** Start at the feed's end: only what happens from now on. */
  fromNow?: boolean;
  /** Print each feed item as a line of JSON, and neither notes nor the result. */
  json?: boolean;
}

/**
 * `troupe follow <workflowId>`: the run tree's live feed, from the start, an offset or now, to the
 * run's end, then its result. Exits 0 when the run finished, 1 when it failed, 130 on Ctrl-C (after
 * saying which offset reads on from there).
 */
export async function followCommand(workflowId: string, options: FollowCommandOptions): Promise<number> {
  const target = await connectForCommand();
  try {
    const run = new TroupeClient(target.client, undefined).run(workflowId);
    const hint = (awaiting: Parameters<typeof decideHint>[1], run: string | undefined) =>
      decideHint(run ?? workflowId, awaiting, target);
    const view: FeedView = options.json
      ? new JsonFeedView(process.stdout)
      : wantsLiveView(process.stdout)
        ? new LiveFeedView(process.stdout, { hint })
        : new LineFeedView(process.stdout, { hint });
    // The offset to read on from, known before the first item: what a Ctrl-C reports.
    let next = options.fromNow
      ? await feedEnd(target.client.workflow, workflowId).catch((error: unknown) => {
          throw clearer(error, workflowId, target);
        })
      : (options.from ?? 0);
    const stop = new AbortController();
    const interrupted = untilInterrupted().then(() => {
      stop.abort();
      return 'interrupted' as const;
    });
    const reading = (async () => {
      for await (const item of run.stream({ from: next, signal: stop.signal })) {
        view.show(item);
        next = item.offset + 1;
      }
      return 'ended' as const;
    })();
    let outcome: 'ended' | 'interrupted';
    try {
      outcome = await Promise.race([reading, interrupted]);
    } catch (error) {
      view.end();
      throw clearer(error, workflowId, target);
    }
    view.end();
    if (outcome === 'interrupted') {
      console.error(
        `\nStopped at offset ${next}. The run goes on: \`troupe follow ${workflowId} --from ${next}\` reads on from there.`,
      );
      return 130;
    }
    const ended = await run.result().then(
      (result) => ({ ok: true as const, result }),
      (error: unknown) => ({ ok: false as const, failure: describeFailure(error) }),
    );
    if (!options.json) {
      view.line(
        ended.ok
          ? formatResult(ended.result)
          : `\nRun failed${ended.failure.type ? ` (${ended.failure.type})` : ''}: ${ended.failure.message}`,
      );
    }
    return ended.ok ? 0 : 1;
  } finally {
    await target.close();
  }
}

/** The client's feed errors, with what to do about them from this command. */
function clearer(error: unknown, workflowId: string, target: TemporalTarget): unknown {
  if (!ClientError.isInstance(error)) return error;
  switch (error.code) {
    case 'UNKNOWN_RUN':
      return new CliError(
        'RUN_NOT_FOUND',
        `No run "${workflowId}" in namespace "${target.namespace}" at ${target.address}: check the workflow id (\`troupe list\` shows the runs there).`,
        { cause: error },
      );
    case 'FEED_OFFSET':
      return new ClientError(
        'FEED_OFFSET',
        `${error.message} Follow it from the start (no --from), from a lower --from, or with --from-now.`,
        { cause: error },
      );
    default:
      return error;
  }
}
