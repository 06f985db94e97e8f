import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { CliError } from './errors.js';

export interface DeploymentFlags {
  deployment?: string | undefined;
  buildId?: string | undefined;
  versioning?: string | undefined;
}

const BEHAVIOURS = { pinned: 'PINNED', 'auto-upgrade': 'AUTO_UPGRADE' } as const;

/**
 * Temporal worker versioning for `troupe worker`: the worker deployment and build id it serves
 * (flags, else TROUPE_DEPLOYMENT / TROUPE_BUILD_ID), and how its runs move between versions
 * (TROUPE_VERSIONING: pinned, the default, finishes a run on the build it started on). None: unversioned.
 */
export function workerDeployment(
  flags: DeploymentFlags,
  env: NodeJS.ProcessEnv = process.env,
): WorkerDeploymentOptions | undefined {
  const deploymentName = flags.deployment ?? (env['TROUPE_DEPLOYMENT'] || undefined);
  const buildId = flags.buildId ?? (env['TROUPE_BUILD_ID'] || undefined);
  const versioning = flags.versioning ?? (env['TROUPE_VERSIONING'] || undefined);
  if (!deploymentName && !buildId && !versioning) return undefined;
  if (!deploymentName || !buildId) {
    throw new CliError(
      'INVALID_DEPLOYMENT',
      `Worker versioning needs both a deployment name and a build id: pass --deployment <name> --build-id <id> (or set TROUPE_DEPLOYMENT and TROUPE_BUILD_ID)${deploymentName ? `; deployment "${deploymentName}" has no build id` : buildId ? `; build id "${buildId}" has no deployment` : ''}.`,
    );
  }
  const behaviour = versioning ?? 'pinned';
  if (!Object.hasOwn(BEHAVIOURS, behaviour)) {
    throw new CliError(
      'INVALID_DEPLOYMENT',
      `--versioning (TROUPE_VERSIONING) "${behaviour}" is not one of pinned, auto-upgrade.`,
    );
  }
  const defaultVersioningBehavior = BEHAVIOURS[behaviour as keyof typeof BEHAVIOURS];
  return { useWorkerVersioning: true, version: { deploymentName, buildId }, defaultVersioningBehavior };
}
