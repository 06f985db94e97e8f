import type { SwarmMove } from '../team/decisions.js';

/** How many results a task keeps (the count keeps growing); long swarms stay small in history. */
const KEPT_RESULTS = 5;
/** Open tasks the board holds at most; further proposals are dropped (and counted). */
const MAX_OPEN_TASKS = 100;

export interface BoardTask {
  id: string;
  description: string;
  /** Pheromone: raised by agents that find the task promising, evaporating every round. */
  weight: number;
  status: 'open' | 'done';
  contributions: number;
  results: { agent: string; round: number; result: string }[];
}

export interface Blackboard {
  round: number;
  nextId: number;
  tasks: BoardTask[];
  droppedProposals: number;
  /** Optional agents that failed for good: skipped, they sit out the rest of the run. */
  sittingOut?: { agent: string; reason: string }[];
}

/** A board with one open task: the swarm's input. */
export function newBoard(task: string): Blackboard {
  return {
    round: 0,
    nextId: 2,
    droppedProposals: 0,
    tasks: [{ id: 't1', description: task, weight: 1, status: 'open', contributions: 0, results: [] }],
  };
}

/** Open tasks, heaviest first (ties by id, so every replay sees the same order). */
export function openTasks(board: Blackboard): BoardTask[] {
  return board.tasks
    .filter((t) => t.status === 'open')
    .sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/**
 * Applies a round's moves in agent order, so the merge is deterministic: results are added to the
 * claimed tasks, completions close them, proposals become new tasks, and each task marked promising
 * gets `deposit` more weight. Then every open task's weight evaporates by `evaporation`.
 * Returns how many moves did something (0 means the swarm has nothing left to do).
 */
export function applyMoves(
  board: Blackboard,
  moves: { agent: string; move: SwarmMove }[],
  options: { deposit: number; evaporation: number },
): number {
  const byId = new Map(board.tasks.map((t) => [t.id, t]));
  let effective = 0;
  for (const { agent, move } of moves) {
    const claimed = byId.get(move.claim);
    if (claimed && claimed.status === 'open') {
      effective += 1;
      claimed.contributions += 1;
      claimed.results.push({ agent, round: board.round, result: move.result });
      if (claimed.results.length > KEPT_RESULTS) claimed.results.splice(0, claimed.results.length - KEPT_RESULTS);
      if (move.complete) claimed.status = 'done';
    }
    for (const description of move.newTasks) {
      if (openTasks(board).length >= MAX_OPEN_TASKS) {
        board.droppedProposals += 1;
        continue;
      }
      const task: BoardTask = {
        id: `t${board.nextId}`,
        description,
        weight: options.deposit,
        status: 'open',
        contributions: 0,
        results: [],
      };
      board.nextId += 1;
      board.tasks.push(task);
      byId.set(task.id, task);
      effective += 1;
    }
    for (const id of new Set(move.promising)) {
      const task = byId.get(id);
      if (task?.status === 'open') task.weight += options.deposit;
    }
  }
  for (const task of board.tasks)
    if (task.status === 'open') task.weight = round6(task.weight * (1 - options.evaporation));
  return effective;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
