import RestartAltIcon from '@mui/icons-material/RestartAlt';
import { Alert, Box, Button as MuiButton, Card, CardContent, Skeleton, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Confirm, Title, useCanAccess, useDataProvider, useGetList, useNotify, useRefresh } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';
import type { RuleRecord } from '../types';
import { RuleRow } from './RuleRow';

const HEADERS = ['Like', 'Repost', 'Reply', 'Quote'];

/** The tier x kind point grid. Admins edit it in place or reset it to the defaults. */
export const RulesGrid = () => {
  const { data, isPending, error, refetch } = useGetList<RuleRecord>('rules', { pagination: { page: 1, perPage: 10 }, sort: { field: 'id', order: 'ASC' } });
  const { canAccess: editable = false } = useCanAccess({ resource: 'rules', action: 'edit' });
  const dp = useDataProvider<EngagementDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [confirming, setConfirming] = useState(false);
  const reset = useMutation({
    mutationFn: () => dp.resetRules(),
    onSuccess: () => {
      setConfirming(false);
      notify('Rules reset to the defaults', { type: 'success' });
      refresh();
    },
    onError: (err: Error) => {
      setConfirming(false);
      notify(err.message || 'Could not reset the rules', { type: 'error' });
    },
  });
  const rules = [...(data ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Point rules" />
      <Card>
        <CardContent>
          <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 2, flexWrap: 'wrap' }}>
            <Box>
              <Typography variant="h6">Points per engagement</Typography>
              <Typography variant="body2" color="text.secondary">
                A member earns the points of their tier when a batch run finds their like, repost, reply or quote. Changes apply to engagements found from now on.
              </Typography>
            </Box>
            {editable ? (
              <MuiButton startIcon={<RestartAltIcon />} color="warning" onClick={() => setConfirming(true)} data-testid="rules-reset">
                Reset to defaults
              </MuiButton>
            ) : null}
          </Box>
          {error ? (
            <Alert severity="error" sx={{ mt: 2 }} action={<MuiButton onClick={() => void refetch()}>Retry</MuiButton>}>
              {(error as Error).message || 'Could not load the rules.'}
            </Alert>
          ) : null}
          {!editable && !isPending ? (
            <Alert severity="info" sx={{ mt: 2 }}>
              Only admins can change the rules.
            </Alert>
          ) : null}
          <TableContainer sx={{ mt: 2, overflowX: 'auto' }}>
            <Table size="small" aria-label="point rules">
              <TableHead>
                <TableRow>
                  <TableCell>Tier</TableCell>
                  {HEADERS.map((h) => (
                    <TableCell key={h} align="right">
                      {h}
                    </TableCell>
                  ))}
                  {editable ? <TableCell /> : null}
                </TableRow>
              </TableHead>
              <TableBody>
                {isPending
                  ? [1, 2, 3].map((i) => (
                      <TableRow key={i}>
                        <TableCell colSpan={6}>
                          <Skeleton />
                        </TableCell>
                      </TableRow>
                    ))
                  : rules.map((r) => <RuleRow key={r.id} rule={r} editable={editable} />)}
              </TableBody>
            </Table>
          </TableContainer>
        </CardContent>
      </Card>
      <Confirm
        isOpen={confirming}
        loading={reset.isPending}
        title="Reset all point rules?"
        content="Every tier goes back to the defaults (like/repost/reply/quote — tier 1: 1/2/3/2, tier 2: 2/4/6/4, tier 3: 3/6/9/6)."
        confirm="Reset"
        onConfirm={() => reset.mutate()}
        onClose={() => setConfirming(false)}
      />
    </Box>
  );
};
