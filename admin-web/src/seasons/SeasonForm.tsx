import { Alert } from '@mui/material';
import { DateTimeInput, NumberInput, required, SimpleForm, TextInput, useRecordContext } from 'react-admin';
import type { SeasonRecord } from '../types';

/** Categories are typed as "defi, nft"; the API takes a list (empty = every category). */
const toList = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const toText = (v: string[] | undefined) => (v ?? []).join(', ');
const toMs = (v: string | Date | null) => (v ? new Date(v).getTime() : null);
const blankIsNull = (v: number | string | null) => (v === '' || v === null ? null : Number(v));

const RunningHint = () => {
  const r = useRecordContext<SeasonRecord>();
  if (r?.status !== 'running') return null;
  return (
    <Alert severity="info" sx={{ mb: 1 }}>
      This season is running: its start and categories are fixed. A new multiplier or cap applies to awards from now on.
    </Alert>
  );
};

export const SeasonForm = () => (
  <SimpleForm>
    <RunningHint />
    <TextInput source="name" validate={required()} fullWidth />
    <DateTimeInput source="startsAt" label="Starts (your time zone; stored in UTC)" parse={toMs} validate={required()} />
    <DateTimeInput source="endsAt" label="Ends" parse={toMs} validate={required()} />
    <NumberInput source="multiplierPct" label="Multiplier (%: 100 = ×1, 150 = ×1.5)" parse={blankIsNull} min={1} max={1000} />
    <NumberInput source="capPerPost" label="Cap per member per post (points)" parse={blankIsNull} min={1} />
    <NumberInput source="capPerDay" label="Cap per member per day (points)" parse={blankIsNull} min={1} />
    <TextInput source="categories" label="Categories (comma-separated; empty = all)" format={toText} parse={toList} fullWidth />
    <NumberInput source="rewardTop" label="Reward zone (top N, announced at the end)" parse={blankIsNull} min={1} max={100} />
  </SimpleForm>
);
