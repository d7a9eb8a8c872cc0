import { Box, Typography } from '@mui/material';
import { DataTable, List, TextInput, useRecordContext, type ListProps } from 'react-admin';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import type { AuditRecord } from '../types';

const Col = DataTable.Col<AuditRecord>;

const filters = [
  <TextInput key="actor" source="actor" label="Actor" alwaysOn />,
  <TextInput key="action" source="action" label="Action" alwaysOn />,
  <TextInput key="target" source="target" label="Target" />,
];

const json = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v, null, 2));
const short = (v: unknown) => (v === undefined ? '' : JSON.stringify(v).slice(0, 60));
const summary = (r: AuditRecord) => (r.before !== undefined || r.after !== undefined ? `${short(r.before)} → ${short(r.after)}` : '');

/** Before/after of one entry, shown when its row is expanded. */
const AuditChange = () => {
  const record = useRecordContext<AuditRecord>();
  if (!record) return null;
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 2, p: 1 }}>
      {(['before', 'after'] as const).map((k) => (
        <Box key={k}>
          <Typography variant="caption" color="text.secondary">
            {k}
          </Typography>
          <Box component="pre" sx={{ m: 0, p: 1, bgcolor: 'grey.100', borderRadius: 1, fontSize: 12, overflowX: 'auto' }}>
            {json(record[k])}
          </Box>
        </Box>
      ))}
    </Box>
  );
};

const Empty = () => <EmptyState title="Nothing audited yet" hint="Every admin change (tiers, rules, point adjustments, deletions, unlinks, manual runs) is recorded here." />;

export const AuditList = (props: Omit<ListProps, 'children'>) => (
  <List {...props} title="Audit log" filters={filters} sort={{ field: 'at', order: 'DESC' }} perPage={50} empty={<Empty />}>
    <DataTable rowClick="expand" expand={<AuditChange />} bulkActionButtons={false}>
      <Col source="at" label="When" render={(r) => formatDateTime(r.at)} />
      <Col source="actor" disableSort />
      <Col source="action" disableSort />
      <Col source="target" disableSort />
      <Col label="Change" disableSort render={summary} />
    </DataTable>
  </List>
);
