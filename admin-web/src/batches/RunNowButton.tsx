import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Confirm, useCanAccess, useDataProvider, useNotify, useRefresh } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';

/** Start a manual batch run (POST /api/batches) after a confirmation. */
export const RunNowButton = ({ running }: { running: boolean }) => {
  const { canAccess } = useCanAccess({ resource: 'batches', action: 'create' });
  const dp = useDataProvider<EngagementDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const run = useMutation({
    mutationFn: () => dp.runBatch(),
    onSuccess: () => {
      setOpen(false);
      notify('Batch run started; progress shows below', { type: 'info' });
      refresh();
    },
    onError: (err: Error & { status?: number }) => {
      setOpen(false);
      notify(err.status === 409 ? 'A batch run is already in progress; wait for it to finish.' : err.message || 'Could not start a run', { type: 'error' });
      refresh();
    },
  });
  if (!canAccess) return null;
  return (
    <>
      <Button label={running ? 'Running…' : 'Run now'} variant="contained" onClick={() => setOpen(true)} disabled={running || run.isPending} data-testid="run-now">
        <PlayArrowIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={run.isPending}
        title="Run the batch now?"
        content="The batch checks recent tweets for members' engagements on X and awards points. It uses X API requests, which cost money; the schedule runs it anyway."
        confirm="Run now"
        onConfirm={() => run.mutate()}
        onClose={() => setOpen(false)}
      />
    </>
  );
};
