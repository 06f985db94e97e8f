import { teamTree, type Team } from './define.js';
import { TeamError } from './errors.js';

/** The teams a client and a worker know by name. Both must be built from the same team definitions. */
export class TeamRegistry {
  private readonly teams = new Map<string, Team>();

  /** Registers the teams and, so workers can run them as child workflows, every sub-team below them. */
  constructor(teams: Iterable<Team>) {
    for (const team of [...teams].flatMap(teamTree)) {
      const known = this.teams.get(team.name);
      if (known === team) continue;
      if (known) {
        throw new TeamError('DUPLICATE_TEAM', `Two teams are named "${team.name}": give each team a unique name.`);
      }
      this.teams.set(team.name, team);
    }
  }

  get names(): string[] {
    return [...this.teams.keys()];
  }

  /** The team of that name (sub-teams included), or undefined. */
  find(name: string): Team | undefined {
    return this.teams.get(name);
  }

  /** The team of that name (sub-teams included); throws, naming the teams it knows, when there is none. */
  get(name: string): Team {
    const team = this.teams.get(name);
    if (!team) {
      const known = this.names.length ? this.names.join(', ') : 'none';
      throw new TeamError(
        'UNKNOWN_TEAM',
        `Unknown team "${name}". Known teams: ${known}. Define it with defineTeam() and export it from your teams module (--teams <module> or TROUPE_TEAMS).`,
      );
    }
    return team;
  }
}
