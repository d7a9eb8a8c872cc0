import { Button as MuiButton, TableCell, TableRow, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useNotify, useUpdate } from 'react-admin';
import { KINDS, TIER_NAMES, type EngagementKind, type RuleRecord, type Tier } from '../types';

/** One tier's points per engagement kind, edited in place and saved with PUT /api/rules/:tier. */
export const RuleRow = ({ rule, editable }: { rule: RuleRecord; editable: boolean }) => {
  const [values, setValues] = useState<Record<EngagementKind, string>>(() => toStrings(rule));
  const [update, { isPending }] = useUpdate<RuleRecord>();
  const notify = useNotify();
  useEffect(() => setValues(toStrings(rule)), [rule]);
  const tier = Number(rule.id) as Tier;
  const invalid = KINDS.some((k) => !isPoints(values[k]));
  const dirty = KINDS.some((k) => values[k] !== String(rule[k]));
  const save = () =>
    update(
      'rules',
      { id: rule.id, data: Object.fromEntries(KINDS.map((k) => [k, Number(values[k])])), previousData: rule },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => notify(`Tier ${tier} rules saved`, { type: 'success' }),
        onError: (err) => notify((err as Error).message || 'Could not save the rules', { type: 'error' }),
      },
    );
  return (
    <TableRow data-testid={`rule-row-${rule.id}`}>
      <TableCell component="th" scope="row" sx={{ whiteSpace: 'nowrap' }}>
        Tier {tier} · {TIER_NAMES[tier] ?? ''}
      </TableCell>
      {KINDS.map((k) => (
        <TableCell key={k} align="right">
          <TextField
            value={values[k]}
            onChange={(e) => setValues((v) => ({ ...v, [k]: e.target.value }))}
            size="small"
            type="number"
            name={`tier${rule.id}-${k}`}
            disabled={!editable}
            error={!isPoints(values[k])}
            slotProps={{ htmlInput: { min: 0, max: 1000, 'aria-label': `Tier ${tier} ${k} points`, style: { textAlign: 'right' } } }}
            sx={{ width: 90 }}
          />
        </TableCell>
      ))}
      {editable ? (
        <TableCell align="right">
          <MuiButton variant={dirty ? 'contained' : 'outlined'} size="small" disabled={!dirty || invalid || isPending} onClick={save} data-testid={`rule-save-${rule.id}`}>
            Save
          </MuiButton>
        </TableCell>
      ) : null}
    </TableRow>
  );
};

/** A whole number from 0 to 1000 (the API's limit). */
const isPoints = (s: string) => /^\d{1,4}$/.test(s) && Number(s) <= 1000;

function toStrings(rule: RuleRecord): Record<EngagementKind, string> {
  return Object.fromEntries(KINDS.map((k) => [k, String(rule[k] ?? 0)])) as Record<EngagementKind, string>;
}
