import { CreateButton, DataTable, DateField, ExportButton, List, SimpleList, TopToolbar, useCanAccess } from 'react-admin';
import { EmptyState } from '../common/EmptyState';
import { formatShort } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { useSmall } from '../common/useSmall';
import type { SeasonRecord } from '../types';

const Col = DataTable.Col<SeasonRecord>;

const Empty = () => (
  <EmptyState
    title="No seasons yet"
    hint="A season has a start, an end and its own leaderboard; it can multiply points, cap them per post and per day, cover some categories only, and announce its top N when it ends."
    action={<CreateButton />}
  />
);

const Actions = () => (
  <TopToolbar>
    <CreateButton />
    <ExportButton />
  </TopToolbar>
);

const multiplier = (r: SeasonRecord) => `×${((r.multiplierPct ?? 100) / 100).toFixed(2).replace(/\.?0+$/, '')}`;

export const SeasonList = () => {
  const small = useSmall();
  // A core member reads the list; a row opens the edit form for admins only (no dead end on "Access denied").
  const { canAccess: canEdit } = useCanAccess({ resource: 'seasons', action: 'edit' });
  return (
    <List sort={{ field: 'startsAt', order: 'DESC' }} empty={<Empty />} actions={<Actions />}>
      {small ? (
        <SimpleList<SeasonRecord> primaryText={(r) => r.name} secondaryText={(r) => `${formatShort(r.startsAt)} – ${formatShort(r.endsAt)}`} tertiaryText={(r) => r.status} linkType={canEdit ? 'edit' : false} />
      ) : (
        <DataTable rowClick={canEdit ? 'edit' : false}>
          <Col source="name" />
          <Col source="status" render={(r) => <StatusChip status={r.status} />} />
          <Col source="startsAt" label="Starts">
            <DateField source="startsAt" showTime />
          </Col>
          <Col source="endsAt" label="Ends">
            <DateField source="endsAt" showTime />
          </Col>
          <Col label="Multiplier" render={multiplier} disableSort />
          <Col label="Caps (post / day)" render={(r) => `${r.capPerPost ?? '–'} / ${r.capPerDay ?? '–'}`} disableSort />
          <Col label="Categories" render={(r) => (r.categories?.length ? r.categories.join(', ') : 'all')} disableSort />
          <Col source="rewardTop" label="Reward zone" render={(r) => (r.rewardTop ? `top ${r.rewardTop}` : '–')} disableSort />
        </DataTable>
      )}
    </List>
  );
};
