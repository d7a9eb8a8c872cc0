import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface BotMetrics {
  interactions: Counter<'kind' | 'name' | 'outcome'>;
  latency: Histogram<'kind' | 'name'>;
  gatewayReconnects: Counter;
  roleChanges: Counter<'op' | 'result'>;
  roleSyncs: Counter<'outcome'>;
  roleRuleProblems: Gauge;
}

export function createBotMetrics(registry: Registry): BotMetrics {
  const metrics = createMetrics(registry);
  // Zero series from the start, so a rate or increase over the first change counts it (an absent series does not).
  for (const op of ['add', 'remove']) for (const result of ['ok', 'error']) metrics.roleChanges.inc({ op, result }, 0);
  for (const outcome of ['ok', 'error', 'busy']) metrics.roleSyncs.inc({ outcome }, 0);
  return metrics;
}

function createMetrics(registry: Registry): BotMetrics {
  return {
    interactions: new Counter({
      name: 'engagement_tracker_bot_interactions_total',
      help: 'Interactions handled, by kind (command, button, autocomplete), name and outcome (ok, denied, refused, error)',
      labelNames: ['kind', 'name', 'outcome'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'engagement_tracker_bot_interaction_seconds',
      help: 'Time from receiving an interaction to the first response sent to Discord',
      labelNames: ['kind', 'name'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    gatewayReconnects: new Counter({ name: 'engagement_tracker_bot_gateway_reconnects_total', help: 'Gateway reconnections', registers: [registry] }),
    roleChanges: new Counter({
      name: 'engagement_tracker_bot_role_changes_total',
      help: 'Role reward changes tried, by op (add, remove) and result (ok, converged, already_held, member_left, forbidden, role_not_found, rate_limited, error)',
      labelNames: ['op', 'result'],
      registers: [registry],
    }),
    roleSyncs: new Counter({ name: 'engagement_tracker_bot_role_syncs_total', help: 'Role reward syncs, by outcome (ok, error, busy: another replica held the sync lease)', labelNames: ['outcome'], registers: [registry] }),
    roleRuleProblems: new Gauge({ name: 'engagement_tracker_bot_role_rules_with_problems', help: 'Enabled role reward rules the last sync could not apply (see their status in the console)', registers: [registry] }),
  };
}
