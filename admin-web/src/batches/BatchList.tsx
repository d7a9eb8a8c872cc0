import { Alert } from '@mui/material';
import { DataTable, List, SelectInput, SimpleList, TopToolbar, useListContext, type ListProps } from 'react-admin';
import { useSmall } from '../common/useSmall';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime, formatDuration, formatNumber, formatShort, formatUsd } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import type { BatchRecord } from '../types';
import { BatchProgress } from './BatchProgress';
import { RunNowButton } from './RunNowButton';

const Col = DataTable.Col<BatchRecord>;

const filters = [
  <SelectInput key="status" source="status" choices={['running', 'succeeded', 'partial', 'failed', 'skipped'].map((s) => ({ id: s, name: s }))} />,
  <SelectInput key="trigger" source="trigger" choices={['schedule', 'manual', 'cli'].map((s) => ({ id: s, name: s }))} />,
];

const useRunning = () => {
  const { data } = useListContext<BatchRecord>();
  return (data ?? []).some((r) => r.status === 'running');
};

const Actions = () => (
  <TopToolbar>
    <RunNowButton running={useRunning()} />
  </TopToolbar>
);

const Empty = () => (
  <EmptyState
    title="No batch runs yet"
    hint="The batch runs on its schedule (BATCH_SCHEDULE) and checks recent tweets for engagements. Admins can start one now."
    action={<RunNowButton running={false} />}
  />
);

const stat = (r: BatchRecord, k: string) => r.stats?.[k];

const FailedHint = () => {
  const { data } = useListContext<BatchRecord>();
  const last = data?.[0];
  if (!last || last.status !== 'failed') return null;
  return (
    <Alert severity="error" sx={{ mb: 1 }}>
      The last run failed: {last.error ?? 'no error recorded'}. Check the batch job logs; the next scheduled run retries.
    </Alert>
  );
};

const Rows = () => {
  const small = useSmall();
  if (small) {
    return (
      <SimpleList<BatchRecord>
        rowClick="show"
        primaryText={(r) => `${r.status === 'running' ? `running ${r.progress?.phase ?? ''}` : r.status} · ${r.trigger}`}
        secondaryText={(r) => `${formatShort(r.startedAt)} · ${formatDuration(r.durationMs)} · ${formatNumber(stat(r, 'requests'))} X requests`}
        tertiaryText={(r) => formatUsd(stat(r, 'costUsd'))}
      />
    );
  }
  return (
    <DataTable rowClick="show" bulkActionButtons={false}>
      <Col source="startedAt" label="Started" render={(r) => <span title={formatDateTime(r.startedAt)}>{formatShort(r.startedAt)}</span>} />
      <Col source="status" disableSort render={(r) => (r.status === 'running' ? <BatchProgress run={r} /> : <StatusChip status={r.status} />)} />
      <Col source="trigger" disableSort />
      <Col source="durationMs" label="Duration" disableSort render={(r) => formatDuration(r.durationMs)} />
      <Col label="X requests" disableSort render={(r) => formatNumber(stat(r, 'requests'))} />
      <Col label="Billed posts / users" disableSort render={(r) => `${formatNumber(stat(r, 'billedPosts'))} / ${formatNumber(stat(r, 'billedUsers'))}`} />
      <Col label="Cost" disableSort render={(r) => formatUsd(stat(r, 'costUsd'))} />
      <Col label="Engagements" disableSort render={(r) => formatNumber(stat(r, 'engagementsFound'))} />
      <Col label="Points" disableSort render={(r) => formatNumber(stat(r, 'pointsAwarded'))} />
    </DataTable>
  );
};

export const BatchList = (props: Omit<ListProps, 'children'>) => (
  <List
    {...props}
    title="Batch jobs"
    filters={filters}
    sort={{ field: 'startedAt', order: 'DESC' }}
    perPage={25}
    actions={<Actions />}
    empty={<Empty />}
    queryOptions={{ refetchInterval: (q: { state: { data?: { data?: BatchRecord[] } } }) => (q.state.data?.data?.some((r) => r.status === 'running') ? 1500 : 10_000) }}
  >
    <FailedHint />
    <Rows />
  </List>
);
