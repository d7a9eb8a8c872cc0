import { useGetList } from 'react-admin';
import type { RoleRewardRecord, SeasonRecord } from '../types';
import { conditionText } from './describe';

/** A rule's condition in words, naming a fixed season by its name (one request for the whole page). */
export function useConditionText(): (c: RoleRewardRecord['condition']) => string {
  const { data } = useGetList<SeasonRecord>('seasons', { pagination: { page: 1, perPage: 1000 }, sort: { field: 'startsAt', order: 'DESC' } });
  const names = new Map((data ?? []).map((s) => [s.id, s.name]));
  return (c) => conditionText(c, c.type === 'rank' && c.seasonId ? names.get(c.seasonId) : undefined);
}
