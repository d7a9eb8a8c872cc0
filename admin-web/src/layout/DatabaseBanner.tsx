import { Alert } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { DATABASE_UNREACHABLE, isDatabaseDown } from '../http';

/**
 * While the admin API answers 503 because its database (Redis) is unreachable, say so above every
 * page, check /readyz every few seconds, and reload the page's data once the API is ready again.
 */
export const DatabaseBanner = ({ pollMs = 3000 }: { pollMs?: number }) => {
  const queryClient = useQueryClient();
  const [down, setDown] = useState(false);
  useEffect(() => {
    const flag = (error: unknown) => isDatabaseDown(error) && setDown(true);
    const unQueries = queryClient.getQueryCache().subscribe((e) => e.type === 'updated' && flag(e.query.state.error));
    const unMutations = queryClient.getMutationCache().subscribe((e) => e.type === 'updated' && flag(e.mutation.state.error));
    return () => {
      unQueries();
      unMutations();
    };
  }, [queryClient]);
  useEffect(() => {
    if (!down) return undefined;
    const timer = setInterval(() => {
      void fetch('/readyz', { headers: { Accept: 'application/json' } })
        .then((res) => {
          if (!res.ok) return;
          setDown(false);
          void queryClient.invalidateQueries();
        })
        .catch(() => undefined);
    }, pollMs);
    return () => clearInterval(timer);
  }, [down, pollMs, queryClient]);
  return down ? (
    <Alert severity="warning" data-testid="database-unreachable" sx={{ mb: 1 }}>
      {DATABASE_UNREACHABLE}
    </Alert>
  ) : null;
};
