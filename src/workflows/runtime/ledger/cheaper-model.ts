/** The agent as it runs now: with its cheaper model once the budget runs low (`ledger.low`). */
export function withBudgetModel<A extends { model: string; cheaperModel?: string | undefined }>(
  agent: A,
  ledger: { readonly low: boolean },
): A {
  return ledger.low && agent.cheaperModel !== undefined && agent.model !== agent.cheaperModel
    ? { ...agent, model: agent.cheaperModel }
    : agent;
}
