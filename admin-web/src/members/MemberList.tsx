import { BooleanInput, DataTable, List, SelectInput, SimpleList, useCanAccess, useListContext, type ListProps } from 'react-admin';
import { useSmall } from '../common/useSmall';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { TierField } from '../common/TierField';
import type { MemberRecord } from '../types';

const Col = DataTable.Col<MemberRecord>;
const NumberCol = DataTable.NumberCol<MemberRecord>;

const filters = [
  <SelectInput
    key="linkStatus"
    source="linkStatus"
    label="X link"
    choices={[
      { id: 'linked', name: 'Linked' },
      { id: 'needs_reconnect', name: 'Needs reconnect' },
      { id: 'unlinked', name: 'Unlinked' },
    ]}
  />,
  // Members gaining far more points in 24 hours than their own and the community's usual pace.
  <BooleanInput key="anomalous" source="anomalous" label="Anomalous points (24 h)" alwaysOn />,
];

/** Gain vs baseline, shown only under the "Anomalous" filter. */
const anomalyText = (r: MemberRecord) => (r.anomaly ? `+${r.anomaly.gain24h} in 24 h (usual ${r.anomaly.baselinePerDay}/day)` : '');

const AnomalyCol = () => {
  const { filterValues } = useListContext();
  if (!(filterValues as { anomalous?: boolean }).anomalous) return null;
  return <Col source="anomaly" label="Last 24 h" render={anomalyText} disableSort />;
};

const Empty = () => (
  <EmptyState title="No members yet" hint="Members appear once they use the bot in Discord: /connect links their X account, /submit sends a tweet for tracking." />
);

export const MemberList = (props: Omit<ListProps, 'children'>) => {
  const { canAccess: canEdit } = useCanAccess({ resource: 'members', action: 'edit' });
  const small = useSmall();
  return (
    <List {...props} filters={filters} sort={{ field: 'totalPoints', order: 'DESC' }} perPage={25} empty={<Empty />} title="Members">
      {small ? (
        <SimpleList<MemberRecord>
          rowClick={canEdit ? 'edit' : false}
          primaryText={(r) => r.displayName}
          secondaryText={(r) => `${r.handle ? `@${r.handle}` : 'no X account'} · ${r.linkStatus.replace('_', ' ')} · tier ${r.tier}`}
          tertiaryText={(r) => (r.anomaly ? anomalyText(r) : `${r.totalPoints} pts`)}
        />
      ) : (
        <DataTable rowClick={canEdit ? 'edit' : false} bulkActionButtons={false}>
          <Col source="displayName" label="Member" disableSort />
          <Col source="handle" label="X account" render={(r) => (r.handle ? `@${r.handle}` : '—')} disableSort />
          <Col source="linkStatus" label="Link" render={(r) => <StatusChip status={r.linkStatus} />} disableSort />
          <Col source="tier" render={() => <TierField />} disableSort />
          <NumberCol source="totalPoints" label="Total points" />
          <NumberCol source="weeklyPoints" label="This week" disableSort />
          <Col source="joinedAt" label="Joined" render={(r) => formatDateTime(r.joinedAt)} />
          <AnomalyCol />
        </DataTable>
      )}
    </List>
  );
};
