import { Alert, Box, Card, CardContent, Grid, Typography } from '@mui/material';
import { Show, useRecordContext } from 'react-admin';
import { formatDateTime, formatDuration, formatUsd } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import type { BatchRecord } from '../types';
import { BatchProgress } from './BatchProgress';

const Details = () => {
  const r = useRecordContext<BatchRecord>();
  if (!r) return null;
  const stats = Object.entries(r.stats ?? {});
  return (
    <CardContent>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
        <Typography variant="h6">Run {r.id}</Typography>
        <StatusChip status={r.status} />
        <BatchProgress run={r} />
      </Box>
      {r.error ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          {r.error}
        </Alert>
      ) : null}
      <Grid container spacing={2} sx={{ mb: 2 }}>
        {[
          ['Trigger', r.trigger],
          ['Started', formatDateTime(r.startedAt)],
          ['Ended', formatDateTime(r.endedAt)],
          ['Duration', formatDuration(r.durationMs)],
          ['Kubernetes job', r.jobName ?? '—'],
        ].map(([k, v]) => (
          <Grid key={k} size={{ xs: 6, sm: 4, md: 2.4 }}>
            <Typography variant="caption" color="text.secondary">
              {k}
            </Typography>
            <Typography variant="body2">{v}</Typography>
          </Grid>
        ))}
      </Grid>
      <Typography variant="subtitle2" gutterBottom>
        Stats
      </Typography>
      {stats.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No stats recorded yet.
        </Typography>
      ) : (
        <Grid container spacing={1} data-testid="batch-stats">
          {stats.map(([k, v]) => (
            <Grid key={k} size={{ xs: 6, sm: 4, md: 3 }}>
              <Card variant="outlined">
                <CardContent sx={{ py: 1, '&:last-child': { pb: 1 } }}>
                  <Typography variant="caption" color="text.secondary">
                    {k}
                  </Typography>
                  <Typography variant="body1">{k === 'costUsd' ? formatUsd(v) : v.toLocaleString()}</Typography>
                </CardContent>
              </Card>
            </Grid>
          ))}
        </Grid>
      )}
    </CardContent>
  );
};

export const BatchShow = () => (
  <Show title="Batch run" queryOptions={{ refetchInterval: (q: { state: { data?: BatchRecord } }) => (q.state.data?.status === 'running' ? 1500 : false) }}>
    <Details />
  </Show>
);
