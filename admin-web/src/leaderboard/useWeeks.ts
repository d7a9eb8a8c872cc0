import { useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';

/** ISO weeks that have a weekly board, newest first. */
export function useWeeks() {
  const dp = useDataProvider<EngagementDataProvider>();
  return useQuery({ queryKey: ['leaderboard-weeks'], queryFn: () => dp.leaderboardWeeks(), staleTime: 60_000 });
}
