import type { MessagesScript } from '../src/activities/index.js';
import { researchBrief, researchBriefScript } from './research-brief.js';

/** The teams `troupe` knows by default (override with --teams or TROUPE_TEAMS). */
export const teams = [researchBrief];

/** Scripted replies for the offline provider, used when no ANTHROPIC_API_KEY is set. */
export const offlineScript: MessagesScript = { ...researchBriefScript };
