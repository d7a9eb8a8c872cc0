import { Chip } from '@mui/material';
import { useRecordContext } from 'react-admin';
import { TIER_NAMES, type Tier } from '../types';

/** "Tier 2 · Active" as a chip. */
export const TierField = ({ source = 'tier' }: { source?: string; label?: string }) => {
  const record = useRecordContext<Record<string, unknown>>();
  const tier = record?.[source] as Tier | undefined;
  if (!tier) return null;
  return <Chip size="small" variant="outlined" label={`${tier} · ${TIER_NAMES[tier] ?? ''}`} />;
};
