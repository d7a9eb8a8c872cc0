import { CreateButton, DataTable, List, SimpleList, TopToolbar } from 'react-admin';
import { EmptyState } from '../common/EmptyState';
import { useSmall } from '../common/useSmall';
import type { RoleRewardRecord } from '../types';
import { problemText } from './describe';
import { lastSync, RoleRewardChip, RoleRewardProblem } from './RoleRewardStatus';
import { useConditionText } from './useConditionText';
import { roleName, useGuildRoles } from './useGuildRoles';

const Col = DataTable.Col<RoleRewardRecord>;

const Empty = () => (
  <EmptyState
    title="No role rewards yet"
    hint="A rule gives a Discord role to members with enough all-time points, or to the top of the season or week board, and can take it back when they drop out. The bot needs Manage Roles and a role above the roles it gives."
    action={<CreateButton />}
  />
);

const Actions = () => (
  <TopToolbar>
    <CreateButton />
  </TopToolbar>
);

export const RoleRewardList = () => {
  const small = useSmall();
  const text = useConditionText();
  const condition = (r: RoleRewardRecord) => text(r.condition);
  const { byId } = useGuildRoles();
  const role = (r: RoleRewardRecord) => roleName(byId, r.roleId);
  return (
    <List sort={{ field: 'createdAt', order: 'ASC' }} empty={<Empty />} actions={<Actions />} title="Role rewards">
      {small ? (
        <SimpleList<RoleRewardRecord>
          primaryText={(r) => r.name}
          secondaryText={(r) => `${condition(r)} → ${role(r)}`}
          tertiaryText={(r) => problemText(r, role(r)) ?? (r.enabled ? r.status.state.replace('_', ' ') : 'off')}
          linkType="show"
        />
      ) : (
        <DataTable rowClick="show">
          <Col source="name" />
          <Col source="roleId" label="Role" render={role} />
          <Col label="Condition" render={condition} disableSort />
          <Col label="When lost" render={(r) => (r.removeWhenLost ? 'removed' : 'kept')} disableSort />
          <Col label="Status" render={(r) => <RoleRewardChip record={r} />} disableSort />
          <Col label="Holders" render={(r) => r.status.holders.toLocaleString()} disableSort />
          <Col label="Last sync" render={lastSync} disableSort />
          <Col label="Problem" disableSort>
            <RoleRewardProblem compact />
          </Col>
        </DataTable>
      )}
    </List>
  );
};
