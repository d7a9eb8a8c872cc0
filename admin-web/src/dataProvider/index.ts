import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider, Identifier } from 'react-admin';
import { apiJson, httpClient } from '../http';
import type { BatchRecord, HeldRecord, Overview, PointsLog, RuleRecord } from '../types';

export const API_URL = '/api';

/** Fields each resource accepts on PUT; everything else in the form is display only. */
const WRITABLE: Record<string, string[]> = {
  members: ['tier'],
  rules: ['like', 'retweet', 'reply', 'quote'],
  settings: ['eligibility', 'replies', 'relinkCooldownHours'],
};

function pick(resource: string, data: Record<string, unknown>): Record<string, unknown> {
  const keys = WRITABLE[resource];
  if (!keys) return data;
  return Object.fromEntries(keys.filter((k) => k in data).map((k) => [k, data[k]]));
}

const enc = encodeURIComponent;

/** The custom calls the console makes beyond CRUD. */
export interface EngagementDataProvider extends DataProvider {
  overview(): Promise<Overview>;
  leaderboardWeeks(): Promise<string[]>;
  leaderboardPeriods(board: 'daily' | 'weekly' | 'monthly'): Promise<string[]>;
  adjustPoints(memberId: Identifier, body: { delta: number; reason: string }): Promise<unknown>;
  memberLogs(memberId: Identifier, limit: number): Promise<{ items: PointsLog[]; total: number }>;
  runBatch(): Promise<BatchRecord | { id: string }>;
  resetRules(): Promise<RuleRecord[]>;
  reviewAction(id: Identifier, action: 'approve' | 'dismiss'): Promise<HeldRecord & { changed: boolean; points?: number }>;
  ban(memberId: Identifier, reason: string): Promise<unknown>;
  unban(memberId: Identifier, reason: string): Promise<unknown>;
}

/**
 * ra-data-simple-rest against the admin API, plus the custom actions. Updates send only the
 * writable fields; deleting a tweet may take the awarded points back (`meta.revoke`).
 */
export function createDataProvider(apiUrl = API_URL): EngagementDataProvider {
  const base = simpleRestProvider(apiUrl, httpClient);
  return {
    ...base,
    update: (resource, params) => base.update(resource, { ...params, data: pick(resource, params.data as Record<string, unknown>) }),
    async delete(resource, params) {
      if (resource === 'tweets' && params.meta?.revoke) {
        const { json } = await httpClient(`${apiUrl}/tweets/${enc(String(params.id))}?revoke=true`, { method: 'DELETE' });
        return { data: { ...(params.previousData ?? {}), ...(json ?? {}), id: params.id } };
      }
      return base.delete(resource, params);
    },
    overview: () => apiJson<Overview>(`${apiUrl}/overview`),
    leaderboardWeeks: async () => {
      const res = await apiJson<string[] | { weeks: string[] }>(`${apiUrl}/leaderboard/weeks`);
      return Array.isArray(res) ? res : res.weeks;
    },
    leaderboardPeriods: (board) => apiJson<string[]>(`${apiUrl}/leaderboard/periods?board=${enc(board)}`),
    adjustPoints: (memberId, body) => apiJson(`${apiUrl}/members/${enc(String(memberId))}/adjustments`, { method: 'POST', body }),
    memberLogs: async (memberId, limit) => {
      const { json, headers } = await httpClient(`${apiUrl}/members/${enc(String(memberId))}/logs?range=${enc(JSON.stringify([0, limit - 1]))}`);
      const total = Number(headers.get('content-range')?.split('/').pop() ?? (json as unknown[]).length);
      return { items: json as PointsLog[], total };
    },
    runBatch: () => apiJson(`${apiUrl}/batches`, { method: 'POST', body: {} }),
    reviewAction: (id, action) => apiJson(`${apiUrl}/review/${enc(String(id))}/${action}`, { method: 'POST', body: {} }),
    ban: (memberId, reason) => apiJson(`${apiUrl}/bans`, { method: 'POST', body: { discordId: String(memberId), reason } }),
    unban: (memberId, reason) => apiJson(`${apiUrl}/bans/${enc(String(memberId))}`, { method: 'DELETE', body: { reason } }),
    resetRules: async () => {
      const res = await apiJson<RuleRecord[] | { data: RuleRecord[] } | unknown>(`${apiUrl}/rules/reset`, { method: 'POST', body: {} });
      if (Array.isArray(res)) return res as RuleRecord[];
      const data = (res as { data?: RuleRecord[] }).data;
      return Array.isArray(data) ? data : [];
    },
  };
}

/** CSV export URL of a leaderboard (served with the session cookie). */
export function leaderboardCsvUrl(board: string, at: { period?: string | undefined; season?: string | undefined } = {}): string {
  const q = new URLSearchParams({ board });
  if (at.period) q.set('period', at.period);
  if (at.season) q.set('season', at.season);
  return `${API_URL}/leaderboard/export.csv?${q}`;
}
