import { Box, CardContent, Grid, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { EditButton, Show, TopToolbar, useCanAccess, useRecordContext } from 'react-admin';
import type { RoleRewardRecord } from '../types';
import { lastSync, RoleRewardChip, RoleRewardProblem } from './RoleRewardStatus';
import { useConditionText } from './useConditionText';
import { roleName, useGuildRoles } from './useGuildRoles';

const Actions = () => {
  const { canAccess } = useCanAccess({ resource: 'role-rewards', action: 'edit' });
  return <TopToolbar>{canAccess ? <EditButton /> : null}</TopToolbar>;
};

const Condition = () => {
  const r = useRecordContext<RoleRewardRecord>();
  const text = useConditionText();
  return r ? <span>{text(r.condition)}</span> : null;
};

const Details = () => {
  const r = useRecordContext<RoleRewardRecord>();
  const { byId } = useGuildRoles();
  if (!r) return null;
  const facts: Array<[string, ReactNode]> = [
    ['Discord role', byId.has(r.roleId) ? `${roleName(byId, r.roleId)} (${r.roleId})` : r.roleId],
    ['Condition', <Condition key="c" />],
    ['When the condition is lost', r.removeWhenLost ? 'the bot removes the role (only from members it gave it to)' : 'members keep the role'],
    ['Members holding it from this rule', r.status.holders.toLocaleString()],
    ['Last sync', lastSync(r)],
    ['Last change', r.status.lastChangeAt ? new Date(r.status.lastChangeAt).toLocaleString() : 'none yet'],
  ];
  return (
    <CardContent>
      <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', mb: 2 }}>
        <Typography variant="h6">{r.name}</Typography>
        <RoleRewardChip />
      </Box>
      <RoleRewardProblem />
      <Grid container spacing={2}>
        {facts.map(([k, v]) => (
          <Grid key={k} size={{ xs: 12, sm: 6, md: 4 }}>
            <Typography variant="caption" color="text.secondary">
              {k}
            </Typography>
            <Typography variant="body2" component="div">
              {v}
            </Typography>
          </Grid>
        ))}
      </Grid>
    </CardContent>
  );
};

export const RoleRewardShow = () => (
  <Show title="Role reward" actions={<Actions />}>
    <Details />
  </Show>
);
