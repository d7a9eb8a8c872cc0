/** What one fault case found, appended to the suite's results. */
export interface CaseResult {
  case: string;
  faults: number;
  /** Engagements in the scenario's truth with no award. */
  lost: number;
  /** Awards counted more than once (a member's per-kind count above their award logs). */
  doubled: number;
  /** Awards the truth does not have. */
  extra: number;
  /** Other drift the ledger check found (totals, boards). */
  drift: number;
  leftRunning: number;
  /** Runs recorded failed that no fault touched (a skip or a live run marked failed). */
  falseFailures: number;
  seconds: number;
}

export interface SuiteSummary {
  suite: 'faults';
  cases: number;
  faultsInjected: number;
  awardsLost: number;
  awardsDoubled: number;
  awardsExtra: number;
  ledgerDrift: number;
  runsLeftRunning: number;
  falseFailureRecords: number;
  seconds: number;
}

export function summarize(results: CaseResult[]): SuiteSummary {
  const sum = (f: (r: CaseResult) => number) => results.reduce((a, r) => a + f(r), 0);
  return {
    suite: 'faults',
    cases: results.length,
    faultsInjected: sum((r) => r.faults),
    awardsLost: sum((r) => r.lost),
    awardsDoubled: sum((r) => r.doubled),
    awardsExtra: sum((r) => r.extra),
    ledgerDrift: sum((r) => r.drift),
    runsLeftRunning: sum((r) => r.leftRunning),
    falseFailureRecords: sum((r) => r.falseFailures),
    seconds: Math.round(sum((r) => r.seconds)),
  };
}
