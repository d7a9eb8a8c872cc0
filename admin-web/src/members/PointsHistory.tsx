import { Card, CardContent, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useDataProvider, useRecordContext } from 'react-admin';
import { formatShort } from '../common/format';
import type { EngagementDataProvider } from '../dataProvider';
import type { MemberRecord, PointsLog } from '../types';

const what = (l: PointsLog) => (l.source === 'adjustment' ? `Adjustment: ${l.reason ?? ''}` : `${l.kind ?? 'engagement'} on tweet ${l.tweetId ?? ''}`);

/** The member's latest points: awards with their batch run, adjustments with their reason. */
export const PointsHistory = () => {
  const record = useRecordContext<MemberRecord>();
  const dp = useDataProvider<EngagementDataProvider>();
  const { data, isPending, error } = useQuery({
    queryKey: ['member-logs', record?.id, record?.totalPoints],
    queryFn: () => dp.memberLogs(record!.id, 20),
    enabled: Boolean(record),
  });
  if (!record) return null;
  return (
    <Card sx={{ mt: 2 }} data-testid="points-history">
      <CardContent>
        <Typography variant="subtitle1">Latest points{data ? ` (${data.total} in all)` : ''}</Typography>
        {error ? (
          <Typography color="error" variant="body2">
            {(error as Error).message}
          </Typography>
        ) : isPending ? (
          <Typography variant="body2" color="text.secondary">
            Loading…
          </Typography>
        ) : !data?.items.length ? (
          <Typography variant="body2" color="text.secondary">
            No points yet. They come from batch runs finding this member's likes, reposts, replies and quotes, or from adjustments.
          </Typography>
        ) : (
          <Table size="small" sx={{ mt: 1 }}>
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>What</TableCell>
                <TableCell align="right">Points</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.items.map((l) => (
                <TableRow key={l.id} sx={l.revokedAt ? { opacity: 0.5 } : undefined}>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatShort(l.createdAt)}</TableCell>
                  <TableCell>
                    {what(l)} {l.revokedAt ? <Chip size="small" label="taken back" /> : null}
                  </TableCell>
                  <TableCell align="right">{l.points > 0 ? `+${l.points}` : l.points}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
};
