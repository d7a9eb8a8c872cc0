import { DataTable, List, SearchInput, SelectInput, useCanAccess, type ListProps } from 'react-admin';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { TierField } from '../common/TierField';
import { TIER_NAMES, type MemberRecord } from '../types';

const Col = DataTable.Col<MemberRecord>;
const NumberCol = DataTable.NumberCol<MemberRecord>;

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search name or handle" />,
  <SelectInput key="tier" source="tier" choices={[1, 2, 3].map((t) => ({ id: t, name: `${t} · ${TIER_NAMES[t as 1 | 2 | 3]}` }))} />,
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
];

const Empty = () => (
  <EmptyState title="No members yet" hint="Members appear once they use the bot in Discord: /connect links their X account, /submit sends a tweet for tracking." />
);

export const MemberList = (props: Omit<ListProps, 'children'>) => {
  const { canAccess: canEdit } = useCanAccess({ resource: 'members', action: 'edit' });
  return (
    <List {...props} filters={filters} sort={{ field: 'totalPoints', order: 'DESC' }} perPage={25} empty={<Empty />} title="Members">
      <DataTable rowClick={canEdit ? 'edit' : false} bulkActionButtons={false}>
        <Col source="displayName" label="Member" />
        <Col source="handle" label="X account" render={(r) => (r.handle ? `@${r.handle}` : '—')} />
        <Col source="linkStatus" label="Link" render={(r) => <StatusChip status={r.linkStatus} />} />
        <Col source="tier" render={() => <TierField />} />
        <NumberCol source="totalPoints" label="Total points" />
        <NumberCol source="weeklyPoints" label="This week" />
        <Col source="joinedAt" label="Joined" render={(r) => formatDateTime(r.joinedAt)} />
      </DataTable>
    </List>
  );
};
