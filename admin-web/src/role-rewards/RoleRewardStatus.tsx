import { Alert, Chip, Typography, type ChipProps } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { formatAgo } from '../common/format';
import type { RoleRewardRecord } from '../types';
import { problemText } from './describe';
import { roleName, useGuildRoles } from './useGuildRoles';

const CHIP: Record<RoleRewardRecord['status']['state'], { label: string; color: ChipProps['color'] }> = {
  ok: { label: 'in sync', color: 'success' },
  problem: { label: 'problem', color: 'error' },
  never_synced: { label: 'not synced yet', color: 'default' },
};

/** The rule's sync state as a chip; off rules say so. */
export const RoleRewardChip = ({ record }: { record?: RoleRewardRecord }) => {
  const ctx = useRecordContext<RoleRewardRecord>();
  const r = record ?? ctx;
  if (!r) return null;
  if (!r.enabled) return <Chip size="small" label="off" data-status="off" />;
  const c = CHIP[r.status.state];
  return <Chip size="small" label={c.label} color={c.color} data-status={r.status.state} />;
};

/** The problem in plain words (the bot's own message when it sent one). */
export const RoleRewardProblem = ({ compact = false }: { compact?: boolean }) => {
  const r = useRecordContext<RoleRewardRecord>();
  const { byId } = useGuildRoles();
  const text = r ? problemText(r, roleName(byId, r.roleId)) : null;
  if (!text) return null;
  return compact ? (
    <Typography variant="body2" color="error" data-testid="role-reward-problem">
      {text}
    </Typography>
  ) : (
    <Alert severity="error" sx={{ mb: 2 }} data-testid="role-reward-problem">
      {text}
    </Alert>
  );
};

/** When the bot last applied the rule. */
export const lastSync = (r: RoleRewardRecord) => (r.status.lastSyncAt ? formatAgo(Date.parse(r.status.lastSyncAt)) : 'never');
