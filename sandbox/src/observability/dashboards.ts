/**
 * The Grafana dashboards, as code. `npm run dashboards` writes them to
 * charts/engagement-tracker/files/dashboards/<name>.json, which the chart ships as ConfigMaps for
 * Grafana's sidecar; a test checks the files match this source, and the observability suite evaluates
 * every query against a real Prometheus scraping the real processes.
 */

export interface Target { expr: string; legend?: string }
export interface PanelSpec {
  title: string;
  description: string;
  type?: 'timeseries' | 'stat';
  unit?: string;
  targets: Target[];
  /** Width in grid columns (24 = full width). */
  w?: number;
}
export interface DashboardSpec { uid: string; title: string; description: string; panels: PanelSpec[] }

const DS = { type: 'prometheus', uid: '${datasource}' };
const stat = (title: string, description: string, expr: string, unit = 'short'): PanelSpec => ({ title, description, type: 'stat', unit, w: 6, targets: [{ expr }] });

export const DASHBOARDS: Record<string, DashboardSpec> = {
  overview: {
    uid: 'engagement-tracker-overview',
    title: 'Engagement tracker / Overview',
    description: 'Members, points per day, the largest single-member gains and the anomaly signals.',
    panels: [
      stat('Linked members', 'Members with a linked X account.', 'max(engagement_tracker_linked_members)'),
      stat('Tracked posts', 'Posts within the tracking window (what the batch reads).', 'max(engagement_tracker_tweets_tracked)'),
      stat('Points today (UTC)', 'Points given so far today, all sources.', 'max(engagement_tracker_points_awarded_today)'),
      stat('Anomalous members', 'Members whose last 24 hours are anomalous: console → Members → "Anomalous points".', 'max(engagement_tracker_points_anomalous_members)'),
      {
        title: 'Points in the last 24 h vs the median day',
        description: 'Points given in the last 24 hours (awards plus adjustments, net) against the median of the 14 days before today.',
        targets: [{ expr: 'max(engagement_tracker_points_last_24h)', legend: 'last 24 h' }, { expr: 'max(engagement_tracker_points_daily_median_14d)', legend: 'median day (14 d)' }],
      },
      {
        title: 'Top single-member gain',
        description: 'The largest gain of one member in the last hour and the last 24 hours (no per-member series: the console names them).',
        targets: [{ expr: 'max by (window) (engagement_tracker_points_member_gain_max)', legend: '{{window}}' }],
      },
      {
        title: 'Top gain vs baseline',
        description: "Largest 24-hour gain divided by that member's baseline; the member alert fires at POINTS_ANOMALY_FACTOR.",
        targets: [{ expr: 'max(engagement_tracker_points_member_gain_ratio_max)', legend: 'ratio' }],
      },
      {
        title: 'Points awarded by batch runs (per hour)',
        description: 'Points the batch awarded, per hour.',
        unit: 'short',
        targets: [{ expr: 'sum(increase(engagement_tracker_batch_points_awarded_total[1h]))', legend: 'points' }],
      },
      {
        title: 'Manual adjustments (24 h)',
        description: 'How many manual adjustments, and the points they moved (absolute), in the last 24 hours.',
        targets: [{ expr: 'max(engagement_tracker_points_adjustments_24h)', legend: 'adjustments' }, { expr: 'max(engagement_tracker_points_adjusted_24h)', legend: 'points moved' }],
      },
    ],
  },
  batch: {
    uid: 'engagement-tracker-batch',
    title: 'Engagement tracker / Batch and X API',
    description: 'Batch runs, outcomes and duration; X requests by endpoint, 429s, cost per day against the budget; members needing reconnect.',
    panels: [
      stat('Failed runs in a row', 'Latest finished runs that failed, in a row (alert at 3).', 'max(engagement_tracker_batch_consecutive_failed_runs)'),
      stat('Since last success', 'Time since the last succeeded run ended.', 'time() - max(engagement_tracker_batch_last_success_timestamp_seconds)', 's'),
      stat('X cost today (UTC)', 'Estimated X cost of the runs that ended today (upper bound).', 'max(engagement_tracker_batch_x_cost_usd_today)', 'currencyUSD'),
      stat('Members needing reconnect', 'Linked members whose X grant stopped working.', 'max(engagement_tracker_members_needs_reconnect)'),
      {
        title: 'Runs by trigger and status (per hour)',
        description: 'Finished runs per hour. Runs skipped because another run held the lock are not failures.',
        targets: [{ expr: 'sum by (trigger, status) (increase(engagement_tracker_batch_runs_total[1h]))', legend: '{{trigger}} {{status}}' }],
      },
      {
        title: 'Last run',
        description: 'Duration of the last finished run, how long the oldest running run has been going, and how long an unfinished member sweep (a partial run) has been waiting.',
        unit: 's',
        targets: [
          { expr: 'max(engagement_tracker_batch_last_run_duration_seconds)', legend: 'last run duration' },
          { expr: 'max(engagement_tracker_batch_running_seconds)', legend: 'running for' },
          { expr: 'max(engagement_tracker_batch_watermark_age_seconds)', legend: 'unfinished sweep age' },
        ],
      },
      {
        title: 'Streaks',
        description: 'Latest finished runs in a row that failed, ended partial, or were stopped by X rate limits.',
        targets: [
          { expr: 'max(engagement_tracker_batch_consecutive_failed_runs)', legend: 'failed' },
          { expr: 'max(engagement_tracker_batch_consecutive_partial_runs)', legend: 'partial' },
          { expr: 'max(engagement_tracker_batch_consecutive_rate_limited_runs)', legend: 'rate limited' },
        ],
      },
      {
        title: 'X requests by endpoint (per hour)',
        description: 'Requests batch runs sent to X, per endpoint.',
        targets: [{ expr: 'sum by (endpoint) (increase(engagement_tracker_batch_x_requests_total[1h]))', legend: '{{endpoint}}' }],
      },
      {
        title: 'X 429s and requests held back (per hour)',
        description: '429 answers received, and requests not sent because the rate-limit headers said X would refuse them.',
        targets: [
          { expr: 'sum(increase(engagement_tracker_batch_x_rate_limited_total[1h]))', legend: '429 received' },
          { expr: 'sum(increase(engagement_tracker_batch_x_held_back_total[1h]))', legend: 'held back' },
        ],
      },
      {
        title: 'Runs stopped early, by reason (per hour)',
        description: 'rate_limited, budget (BATCH_MAX_BILLED_RESOURCES), wall_time (BATCH_MAX_WALL_SECONDS), cancelled (SIGTERM).',
        targets: [{ expr: 'sum by (reason) (increase(engagement_tracker_batch_stops_total[1h]))', legend: '{{reason}}' }],
      },
      {
        title: 'X cost per day vs budget',
        description: 'Estimated cost of the runs that ended today (UTC), against X_DAILY_BUDGET_USD (0 = no budget).',
        unit: 'currencyUSD',
        targets: [{ expr: 'max(engagement_tracker_batch_x_cost_usd_today)', legend: 'today' }, { expr: 'max(engagement_tracker_batch_x_daily_budget_usd)', legend: 'budget' }],
      },
      {
        title: 'Billed posts and users (per hour)',
        description: 'Distinct posts and users X returned per run (what X bills), summed per hour.',
        targets: [
          { expr: 'sum(increase(engagement_tracker_batch_billed_posts_total[1h]))', legend: 'posts' },
          { expr: 'sum(increase(engagement_tracker_batch_billed_users_total[1h]))', legend: 'users' },
        ],
      },
      {
        title: 'Jobs that died without recording (per hour)',
        description: 'Batch Jobs the Job watcher saw die (OOMKilled, image pull, deadline, ...) and recorded as failed runs.',
        targets: [{ expr: 'sum by (reason) (increase(engagement_tracker_batch_jobs_died_total[1h]))', legend: '{{reason}}' }],
      },
    ],
  },
  bot: {
    uid: 'engagement-tracker-bot',
    title: 'Engagement tracker / Bot',
    description: 'Discord interactions by outcome, latency, errors, the gateway, Redis as each process sees it, and the role rewards sync.',
    panels: [
      stat('Gateway connected', '1 while the bot has a ready Discord gateway session.', 'max(engagement_tracker_bot_gateway_connected)'),
      stat('Gateway reconnects (1 h)', 'Gateway reconnections in the last hour.', 'sum(increase(engagement_tracker_bot_gateway_reconnects_total[1h]))'),
      stat('Interaction errors (1 h)', 'Interactions that ended with an error reply in the last hour.', 'sum(increase(engagement_tracker_bot_interactions_total{outcome="error"}[1h])) or vector(0)'),
      stat('Redis errors, bot (1 h)', 'Redis connection errors and failed commands seen by the bot in the last hour.', 'sum(increase(engagement_tracker_redis_errors_total{service="bot"}[1h]))'),
      {
        title: 'Interactions by outcome',
        description: 'Interactions per second: ok, denied (precondition), refused (validation), error.',
        unit: 'reqps',
        targets: [{ expr: 'sum by (outcome) (rate(engagement_tracker_bot_interactions_total[5m]))', legend: '{{outcome}}' }],
      },
      {
        title: 'Interaction latency',
        description: "From receiving an interaction to the first response sent to Discord (Discord's deadline is 3 s).",
        unit: 's',
        targets: [
          { expr: 'histogram_quantile(0.5, sum by (le) (rate(engagement_tracker_bot_interaction_seconds_bucket[5m])))', legend: 'p50' },
          { expr: 'histogram_quantile(0.99, sum by (le) (rate(engagement_tracker_bot_interaction_seconds_bucket[5m])))', legend: 'p99' },
        ],
      },
      {
        title: 'Redis reachable, by process',
        description: '1 when the process got a PING answer within 1 s at scrape time.',
        targets: [{ expr: 'min by (service) (engagement_tracker_redis_up)', legend: '{{service}}' }],
      },
      {
        title: 'Redis command latency p99, by process',
        description: 'Time from sending a Redis command to its answer.',
        unit: 's',
        targets: [{ expr: 'histogram_quantile(0.99, sum by (le, service) (rate(engagement_tracker_redis_command_duration_seconds_bucket[5m])))', legend: '{{service}}' }],
      },
      {
        title: 'Memory, by process',
        description: 'Resident memory of each process.',
        unit: 'bytes',
        targets: [{ expr: 'max by (service) (engagement_tracker_process_resident_memory_bytes)', legend: '{{service}}' }],
      },
      // Role rewards: the bot's role sync.
      stat('Role rules with problems', 'Enabled role reward rules the last sync could not apply (alert EngagementTrackerRoleRewardProblems): the console\'s Role rewards page says why.', 'max(engagement_tracker_bot_role_rules_with_problems)'),
      stat('Role changes refused (1 h)', 'Role grants and removals that did not go through in the last hour (forbidden, role not found, rate limited, error).', 'sum(increase(engagement_tracker_bot_role_changes_total{result=~"forbidden|role_not_found|rate_limited|error"}[1h])) or vector(0)'),
      {
        title: 'Role changes by op and result (per hour)',
        description: 'Roles the bot gave (add) and took (remove), per hour: ok, converged (an interrupted grant recorded), already_held (a human gave it), member_left, and the refusals.',
        targets: [{ expr: 'sum by (op, result) (increase(engagement_tracker_bot_role_changes_total[1h]))', legend: '{{op}} {{result}}' }],
      },
      {
        title: 'Role syncs by outcome (per hour)',
        description: 'Role syncs per hour: ok, error (retried at the next one), busy (another bot replica held the sync lease).',
        targets: [{ expr: 'sum by (outcome) (increase(engagement_tracker_bot_role_syncs_total[1h]))', legend: '{{outcome}}' }],
      },
    ],
  },
  'admin-api': {
    uid: 'engagement-tracker-admin-api',
    title: 'Engagement tracker / Admin API',
    description: 'Request rate, errors, latency, sign-in failures, rate limiting and refused manual runs.',
    panels: [
      stat('5xx ratio (5 m)', 'Share of requests answered 5xx (alert above 5%).', '(sum(rate(engagement_tracker_admin_api_requests_total{status=~"5.."}[5m])) or vector(0)) / sum(rate(engagement_tracker_admin_api_requests_total[5m]))', 'percentunit'),
      stat('Sign-in failures (1 h)', 'Refused Discord sign-ins and requests with an invalid session or API token.', 'sum(increase(engagement_tracker_admin_api_sign_in_failures_total[1h]))'),
      stat('Rate limited (1 h)', 'Requests refused with 429 by the per-IP or per-user limit.', 'sum(increase(engagement_tracker_admin_api_rate_limited_total[1h]))'),
      stat('Manual runs refused (1 h)', 'Manual batch runs refused because a run held the lock or was just started.', 'sum(increase(engagement_tracker_admin_api_manual_runs_refused_total[1h]))'),
      {
        title: 'Requests by status',
        description: 'Requests per second by status code.',
        unit: 'reqps',
        targets: [{ expr: 'sum by (status) (rate(engagement_tracker_admin_api_requests_total[5m]))', legend: '{{status}}' }],
      },
      {
        title: 'Requests by route',
        description: 'Requests per second by route.',
        unit: 'reqps',
        targets: [{ expr: 'sum by (route) (rate(engagement_tracker_admin_api_requests_total[5m]))', legend: '{{route}}' }],
      },
      {
        title: 'Latency',
        description: 'p50 and p99 over all routes.',
        unit: 's',
        targets: [
          { expr: 'histogram_quantile(0.5, sum by (le) (rate(engagement_tracker_admin_api_request_duration_seconds_bucket[5m])))', legend: 'p50' },
          { expr: 'histogram_quantile(0.99, sum by (le) (rate(engagement_tracker_admin_api_request_duration_seconds_bucket[5m])))', legend: 'p99' },
        ],
      },
      {
        title: 'Latency p99 by route',
        description: 'The slowest routes.',
        unit: 's',
        targets: [{ expr: 'histogram_quantile(0.99, sum by (le, route) (rate(engagement_tracker_admin_api_request_duration_seconds_bucket[5m])))', legend: '{{route}}' }],
      },
    ],
  },
};

/** Grafana dashboard JSON (schema 39): a datasource variable, a stable uid, panels laid out in rows of 24 columns. */
export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((p, i) => {
    const type = p.type ?? 'timeseries';
    const w = p.w ?? 12;
    const h = type === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: i + 1,
      type,
      title: p.title,
      description: p.description,
      datasource: DS,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area' } : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: DS, expr: t.expr, legendFormat: t.legend ?? '__auto', range: true })),
    };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['engagement-tracker'],
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] }],
    },
    annotations: { list: [] },
    panels,
  };
}

/** Every PromQL expression of every dashboard, with where it is. */
export function dashboardQueries(): Array<{ dashboard: string; panel: string; expr: string }> {
  return Object.entries(DASHBOARDS).flatMap(([name, d]) => d.panels.flatMap((p) => p.targets.map((t) => ({ dashboard: name, panel: p.title, expr: t.expr }))));
}

/** The file each dashboard is written to, relative to the repository root. */
export const dashboardFile = (name: string) => `charts/engagement-tracker/files/dashboards/${name}.json`;
export const dashboardJson = (name: string) => `${JSON.stringify(renderDashboard(DASHBOARDS[name]!), null, 2)}\n`;
