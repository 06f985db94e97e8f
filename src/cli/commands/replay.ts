import { replayHistoryFile } from '../../workers/index.js';

/** `troupe replay <history.json...>`: would runs with these histories survive a deploy of the current code? */
export async function replayCommand(files: string[], options: { workflowId?: string } = {}): Promise<number> {
  let failed = 0;
  for (const file of files) {
    const outcome = await replayHistoryFile(file, options.workflowId ? { workflowId: options.workflowId } : {});
    if (outcome.ok) console.log(`✓ ${file}: replays cleanly on the current code`);
    else {
      failed += 1;
      console.log(
        `✗ ${file}: the current code is not compatible with this run: ${outcome.problem}\n  Guard the change with patched() (or worker versioning) so runs in flight keep their old path.`,
      );
    }
  }
  return failed ? 1 : 0;
}
