import { Chip, type ChipProps } from '@mui/material';

const COLORS: Record<string, ChipProps['color']> = {
  running: 'info',
  succeeded: 'success',
  partial: 'warning',
  failed: 'error',
  skipped: 'default',
  active: 'success',
  deleted: 'default',
  unavailable: 'warning',
  linked: 'success',
  needs_reconnect: 'warning',
  unlinked: 'default',
  scheduled: 'default',
  ended: 'default',
};

const LABELS: Record<string, string> = { needs_reconnect: 'needs reconnect' };

/** A coloured chip for a status word (batch, tweet or link status). */
export const StatusChip = ({ status }: { status: string | null | undefined }) =>
  status ? <Chip size="small" label={LABELS[status] ?? status} color={COLORS[status] ?? 'default'} data-status={status} /> : null;
