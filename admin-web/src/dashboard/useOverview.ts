import { useQuery } from '@tanstack/react-query';
import { useDataProvider } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';

/** GET /api/overview, refreshed every 10 s (every 2 s while a batch runs). */
export function useOverview() {
  const dp = useDataProvider<EngagementDataProvider>();
  return useQuery({
    queryKey: ['overview'],
    queryFn: () => dp.overview(),
    refetchInterval: (q) => (q.state.data?.lastRun?.status === 'running' ? 2000 : 10_000),
  });
}
