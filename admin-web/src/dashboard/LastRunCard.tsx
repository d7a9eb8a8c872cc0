import HistoryIcon from '@mui/icons-material/History';
import { Box, LinearProgress } from '@mui/material';
import { Link } from 'react-router-dom';
import { StatusChip } from '../common/StatusChip';
import { formatAgo, formatDuration } from '../common/format';
import type { BatchRecord } from '../types';
import { StatCard } from './StatCard';

/** The most recent batch run: status, when, how long, live progress while it runs. */
export const LastRunCard = ({ run, loading }: { run: BatchRecord | null | undefined; loading: boolean }) => {
  const progress = run?.status === 'running' && run.progress && run.progress.total > 0 ? (100 * run.progress.done) / run.progress.total : null;
  return (
    <StatCard
      testId="card-last-run"
      title="Last batch run"
      icon={<HistoryIcon fontSize="inherit" />}
      loading={loading}
      value={run ? <StatusChip status={run.status} /> : 'none yet'}
      caption={
        run ? (
          <Box>
            <Link to={`/batches/${encodeURIComponent(run.id)}/show`}>{run.trigger}</Link> · started {formatAgo(run.startedAt)}
            {run.durationMs != null ? ` · ${formatDuration(run.durationMs)}` : ''}
            {progress != null ? <LinearProgress variant="determinate" value={progress} sx={{ mt: 1 }} /> : null}
          </Box>
        ) : (
          'The batch schedule runs it; admins can also start one from Batch jobs.'
        )
      }
    />
  );
};
