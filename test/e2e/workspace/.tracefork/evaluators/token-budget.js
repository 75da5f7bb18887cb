// A custom evaluator of the e2e workspace: model calls may read at most 50 input tokens.
module.exports = {
  name: 'token-budget',
  version: '1',
  appliesTo: (step) => step.kind === 'llm',
  evaluate(step) {
    const used = step.inputTokens ?? 0;
    return { value: used, label: used > 50 ? 'over' : 'within', passed: used <= 50, explanation: `${used} input tokens (budget 50)` };
  },
};
