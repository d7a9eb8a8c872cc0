import { Button as MuiButton, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useDataProvider, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';
import type { MemberRecord } from '../types';

/** Add or remove points by hand, with a reason that goes to the member's log and the audit log. */
export const AdjustPoints = () => {
  const record = useRecordContext<MemberRecord>();
  const dp = useDataProvider<EngagementDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState('');
  const n = Number(delta);
  const valid = delta.trim() !== '' && Number.isInteger(n) && n !== 0 && Math.abs(n) <= 100_000 && reason.trim().length >= 3;
  const mutation = useMutation({
    mutationFn: () => dp.adjustPoints(record!.id, { delta: n, reason: reason.trim() }),
    onSuccess: () => {
      notify(`${n > 0 ? 'Added' : 'Removed'} ${Math.abs(n)} points`, { type: 'success' });
      setDelta('');
      setReason('');
      refresh();
    },
    onError: (err: Error) => notify(err.message || 'Could not adjust the points', { type: 'error' }),
  });
  if (!record) return null;
  return (
    <Card sx={{ mt: 2 }} data-testid="adjust-points">
      <CardContent>
        <Typography variant="subtitle1">Adjust points</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          A positive number adds points, a negative one removes them. The reason is kept in the audit log.
        </Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'flex-start' } }}>
          <TextField label="Points" name="delta" type="number" size="small" value={delta} onChange={(e) => setDelta(e.target.value)} sx={{ width: { sm: 140 } }} />
          <TextField label="Reason" name="reason" size="small" value={reason} onChange={(e) => setReason(e.target.value)} fullWidth helperText="At least 3 characters" />
          <MuiButton variant="contained" disabled={!valid || mutation.isPending} onClick={() => mutation.mutate()}>
            Apply
          </MuiButton>
        </Stack>
      </CardContent>
    </Card>
  );
};
