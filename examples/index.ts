import type { MessagesScript } from '../src/activities/index.js';
import { architectureDebate, architectureDebateScript } from './architecture-debate.js';
import { concierge, conciergeScript } from './concierge.js';
import { fieldResearch, fieldResearchScript } from './field-research.js';
import { incidentSwarm, incidentSwarmScript } from './incident-swarm.js';
import { launchPlan, launchPlanScript } from './launch-plan.js';
import { researchBrief, researchBriefScript } from './research-brief.js';
import { supportDesk, supportDeskScript } from './support-desk.js';

/** The teams `troupe` knows by default (override with --teams or TROUPE_TEAMS): one per topology, and an agent with tools. */
export const teams = [
  researchBrief,
  supportDesk,
  launchPlan,
  architectureDebate,
  incidentSwarm,
  concierge,
  fieldResearch,
];

/** Scripted replies for the offline provider, used when no ANTHROPIC_API_KEY is set. */
export const offlineScript: MessagesScript = {
  ...researchBriefScript,
  ...supportDeskScript,
  ...launchPlanScript,
  ...architectureDebateScript,
  ...incidentSwarmScript,
  ...conciergeScript,
  ...fieldResearchScript,
};
