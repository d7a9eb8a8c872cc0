import { DataTable, List } from 'react-admin';
import { MemberName } from '../common/MemberName';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import type { BanRecord } from '../types';
import { UnbanButton } from './BanButtons';

const Col = DataTable.Col<BanRecord>;

const Empty = () => <EmptyState title="Nobody is banned" hint="Ban a member from their page under Members, or with /ban in Discord. Banned members keep their points but earn nothing and are hidden from the leaderboards." />;

export const BanList = () => (
  <List sort={{ field: 'at', order: 'DESC' }} perPage={25} empty={<Empty />} title="Bans" actions={false}>
    <DataTable rowClick={false} bulkActionButtons={false}>
      <Col source="discordId" label="Member" render={() => <MemberName />} disableSort />
      <Col source="reason" disableSort />
      <Col source="actor" label="By" disableSort />
      <Col source="at" label="Since" render={(r) => formatDateTime(r.at)} />
      <Col label="" render={() => <UnbanButton />} disableSort />
    </DataTable>
  </List>
);
