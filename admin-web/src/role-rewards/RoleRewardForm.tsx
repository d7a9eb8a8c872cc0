import { Alert } from '@mui/material';
import {
  BooleanInput,
  FormDataConsumer,
  maxValue,
  minValue,
  NumberInput,
  ReferenceInput,
  regex,
  required,
  SelectInput,
  SimpleForm,
  TextInput,
  useRecordContext,
} from 'react-admin';
import { ROLE_ID_RE } from '@engagement-tracker/core/domain';
import type { RoleRewardRecord } from '../types';
import { problemWords } from './describe';
import { useGuildRoles } from './useGuildRoles';

type Condition = RoleRewardRecord['condition'];
export type RoleRewardFormData = Pick<RoleRewardRecord, 'name' | 'roleId' | 'removeWhenLost' | 'enabled'> & { condition: Partial<Condition> & { type: Condition['type']; minPoints?: number; board?: 'season' | 'week'; top?: number; seasonId?: string | null } };

export const ROLE_REWARD_DEFAULTS = { enabled: true, removeWhenLost: false, condition: { type: 'points', minPoints: 100 } };

/** Only what the API takes: the fields of the chosen condition type (a switched form keeps the other's values). */
export function toRoleRewardBody(d: RoleRewardFormData) {
  const c = d.condition;
  const condition =
    c.type === 'points'
      ? { type: 'points' as const, minPoints: Number(c.minPoints) }
      : { type: 'rank' as const, board: c.board ?? 'season', top: Number(c.top), ...(c.board !== 'week' && c.seasonId ? { seasonId: c.seasonId } : {}) };
  return { name: d.name, roleId: d.roleId, condition, removeWhenLost: Boolean(d.removeWhenLost), enabled: d.enabled !== false };
}

const snowflake = regex(ROLE_ID_RE, 'A Discord role id: 17 to 20 digits (Server Settings → Roles → ⋯ → Copy Role ID, with Developer Mode on).');

/**
 * The guild's roles to pick from once the bot has published them (roles nobody can give left out, the
 * bot's verdict next to the others); until then, the role id typed in.
 */
const RoleInput = () => {
  const { roles, isPending } = useGuildRoles();
  const record = useRecordContext<RoleRewardRecord>();
  const choices = roles
    .filter((r) => !r.everyone && !r.managed)
    .map((r) => ({ id: r.id, name: r.problem ? `@${r.name}: ${problemWords(r.problem, `@${r.name}`)}` : `@${r.name}` }));
  if (isPending) return null;
  if (!choices.length) return <TextInput source="roleId" label="Discord role id" validate={[required(), snowflake]} fullWidth />;
  if (record?.roleId && !choices.some((c) => c.id === record.roleId)) choices.push({ id: record.roleId, name: `Role ${record.roleId} (not in the server any more)` });
  return <SelectInput source="roleId" label="Discord role" choices={choices} validate={required()} fullWidth helperText="The server's roles as the bot last read them, highest first." />;
};

export const RoleRewardForm = () => (
  <SimpleForm defaultValues={ROLE_REWARD_DEFAULTS}>
    <Alert severity="info" sx={{ mb: 1 }}>
      The bot gives the role within a minute of the award that crosses the threshold and at each period end. It needs the Manage Roles
      permission and a role above this one. It only ever removes the role from members it gave it to.
    </Alert>
    <TextInput source="name" validate={required()} fullWidth />
    <RoleInput />
    <SelectInput
      source="condition.type"
      label="Condition"
      choices={[
        { id: 'points', name: 'All-time points at or above' },
        { id: 'rank', name: 'Rank on a leaderboard (top K)' },
      ]}
      validate={required()}
    />
    <FormDataConsumer<RoleRewardFormData>>
      {({ formData }) =>
        formData.condition?.type === 'rank' ? (
          <>
            <SelectInput
              source="condition.board"
              label="Board"
              choices={[
                { id: 'season', name: 'Season' },
                { id: 'week', name: 'This week (ISO week, UTC)' },
              ]}
              defaultValue="season"
              validate={required()}
            />
            <NumberInput source="condition.top" label="Top K (1-100)" validate={[required(), minValue(1), maxValue(100)]} min={1} max={100} />
            {formData.condition.board !== 'week' ? (
              <ReferenceInput source="condition.seasonId" reference="seasons" sort={{ field: 'startsAt', order: 'DESC' }}>
                <SelectInput label="Season" optionText="name" emptyText="The season running at the time" />
              </ReferenceInput>
            ) : null}
          </>
        ) : (
          <NumberInput source="condition.minPoints" label="Minimum all-time points" validate={[required(), minValue(1)]} min={1} />
        )
      }
    </FormDataConsumer>
    <BooleanInput source="removeWhenLost" label="Remove the role when the condition no longer holds" />
    <BooleanInput source="enabled" label="On (the bot applies this rule)" />
  </SimpleForm>
);
