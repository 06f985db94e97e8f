// The registry is the one place that asks Temporal about a patch.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { patched } from '@temporalio/workflow';

/**
 * Every patch the workflow code asks about, in one place: what it changed, when it was added, and
 * when it may go. A patch keeps runs started before a change replaying as they ran; code asks
 * through `isPatched`, never `patched()` directly (a test fails on an id missing here).
 *
 * Removing one: once no run started before `added` can still be open (the longest a run may
 * wait, e.g. an approval's timeout, has passed since the release that added it), switch its call
 * to `deprecatePatch` for one release, then delete the entry and the old path. Runs can wait
 * long (an approval's timeout is the team's to choose), so `removable` names the runs that must be
 * closed, not a date: `troupe list --status running` shows them.
 */
export const PATCHES = {
  'troupe-run-status-attributes': {
    changed: 'runs keep TroupeStatus/TroupeAwaiting/TroupeSpend search attributes up to date',
    added: '2026-11-24',
    removable: 'once no run started before 2026-11-24 is open',
  },
  'troupe-topology-search-attribute': {
    changed: 'runs record their topology as the TroupeTopology search attribute',
    added: '2026-11-24',
    removable: 'once no run started before 2026-11-24 is open',
  },
  'troupe-throttled-spending-attributes': {
    changed: 'spend search attributes are updated at most once per model call batch, not per call',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-count-failed-calls': {
    changed: 'a one-shot agent call that fails for good counts as an agent call (tool loops always counted it)',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-delegate-tools-estimate': {
    changed: "a delegating agent's first turn counts its delegate tools' definitions under a token or USD cap",
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-skip-optional-members': {
    changed: 'supervisor, router, debate, swarm and handoff skip an optional member that failed for good',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-subteam-spend-report': {
    changed: 'a failed sub-team signals what it spent to its parent before it fails',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-refused-signal-memo': {
    changed: 'a refused approval signal is noted in the memo instead of being dropped silently',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-one-gate-at-a-time': {
    changed: 'a run waits on one approval gate at a time, in the order they were asked',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-exact-budget': {
    changed: 'calls in flight count against the call cap; a run at a cap waits for them before it returns',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-exact-caps': {
    changed: 'tokens, USD and time are exact caps: a call holds its worst case while in flight',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-timed-out-calls-spent': {
    changed: 'a call that timed out under a token or USD cap keeps its worst case spent',
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-time-cap-cut-calls': {
    changed: "a call that times out before the time cap is the agent's failure, not the cap's",
    added: '2026-11-27',
    removable: 'once no run started before 2026-11-27 is open',
  },
  'troupe-check-local-activity': {
    changed: "a pipeline's checks run as local activities",
    added: '2026-11-26',
    removable: 'once no run started before 2026-11-26 is open',
  },
  'troupe-mcp-tools-estimate': {
    changed:
      "an agent with MCP servers counts its MCP tools' definitions in its first turn's estimate under a token or USD cap",
    added: '2026-12-07',
    removable: 'once no run started before 2026-12-07 is open',
  },
} as const satisfies Record<string, { changed: string; added: string; removable: string }>;

export type PatchId = keyof typeof PATCHES;

/**
 * Whether this run takes the path a patch added: true for new runs, and on replay for runs that
 * took it. Ask only where the old and new paths differ, so other runs' histories stay unchanged.
 */
export function isPatched(id: PatchId): boolean {
  return patched(id);
}
