import { Box, LinearProgress, Typography } from '@mui/material';
import type { BatchRecord } from '../types';

/** Live progress of a running batch (done/total and phase). */
export const BatchProgress = ({ run }: { run: BatchRecord }) => {
  if (run.status !== 'running') return null;
  const p = run.progress ?? { done: 0, total: 0, phase: 'starting' };
  const pct = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : undefined;
  return (
    <Box sx={{ minWidth: 140 }} data-testid="batch-progress">
      <LinearProgress variant={pct === undefined ? 'indeterminate' : 'determinate'} value={pct} />
      <Typography variant="caption" color="text.secondary">
        {p.phase} {p.total > 0 ? `${p.done}/${p.total}` : ''}
      </Typography>
    </Box>
  );
};
