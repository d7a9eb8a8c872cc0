import { useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';

/** Days, ISO weeks or months that have a board, newest first (none without a period board). */
export function usePeriods(board: 'daily' | 'weekly' | 'monthly' | undefined) {
  const dp = useDataProvider<EngagementDataProvider>();
  return useQuery({ queryKey: ['leaderboard-periods', board], queryFn: () => dp.leaderboardPeriods(board!), enabled: board !== undefined, staleTime: 60_000 });
}
