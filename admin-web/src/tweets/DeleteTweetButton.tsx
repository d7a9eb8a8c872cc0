import DeleteIcon from '@mui/icons-material/Delete';
import { Checkbox, FormControlLabel, Typography } from '@mui/material';
import { useState } from 'react';
import { Button, Confirm, useCanAccess, useDelete, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { TweetRecord } from '../types';

/** Stop tracking a tweet; admins may also take back the points it earned (core moves no points). */
export const DeleteTweetButton = () => {
  const record = useRecordContext<TweetRecord>();
  const { canAccess: canRevoke = false } = useCanAccess({ resource: 'tweets', action: 'revoke' });
  const [open, setOpen] = useState(false);
  const [revoke, setRevoke] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const [remove, { isPending }] = useDelete();
  if (!record) return null;
  const confirm = () =>
    remove(
      'tweets',
      { id: record.id, previousData: record, meta: { revoke: revoke && canRevoke } },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          setOpen(false);
          notify(revoke && canRevoke ? `Tweet removed and its ${record.pointsAwarded} points taken back` : 'Tweet removed from tracking', { type: 'success' });
          refresh();
        },
        onError: (err) => {
          setOpen(false);
          notify((err as Error).message || 'Could not delete the tweet', { type: 'error' });
        },
      },
    );
  return (
    <>
      <Button label="Delete" color="error" onClick={(e) => { e.stopPropagation(); setOpen(true); }} disabled={record.status === 'deleted'}>
        <DeleteIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={isPending}
        title={`Delete tweet by @${record.authorHandle}?`}
        content={
          <>
            <Typography variant="body2" gutterBottom>
              The tweet stops being tracked; no new points are awarded for it.
            </Typography>
            {canRevoke ? (
              <FormControlLabel
                control={<Checkbox checked={revoke} onChange={(e) => setRevoke(e.target.checked)} name="revoke" />}
                label={`Also take back the ${record.pointsAwarded} points already awarded`}
              />
            ) : (
              <Typography variant="body2" color="text.secondary">
                The {record.pointsAwarded} points already awarded stay; only an admin can take them back.
              </Typography>
            )}
          </>
        }
        confirm="Delete"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
};
