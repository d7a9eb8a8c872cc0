import { Typography } from '@mui/material';
import { ArrayInput, BooleanInput, Edit, NumberInput, SaveButton, SimpleForm, SimpleFormIterator, TextInput, Toolbar, maxValue, minValue, number, required } from 'react-admin';

const whole = (max: number) => [required(), number(), minValue(0, 'Must be 0 (off) or more'), maxValue(max, `At most ${max}`)];
const threshold = (v: unknown) => (typeof v === 'number' && v !== 0 && (v < 0.5 || v > 1) ? 'Must be 0 (off) or from 0.5 to 1' : undefined);
const snowflake = (v: unknown) => (typeof v === 'string' && !/^\d{17,20}$/.test(v) ? 'A Discord role id: 17 to 20 digits' : undefined);
const literal = (v: unknown) => (typeof v === 'string' && /\.\*|\.\+|\\[dwsb]|\[[^\]]*\]|\([^)]*\|[^)]*\)/.test(v) ? 'Write the words themselves: phrases are matched literally, not as regular expressions' : undefined);

const Section = ({ children }: { children: string }) => (
  <Typography variant="h6" sx={{ mt: 2 }}>
    {children}
  </Typography>
);

/**
 * Moderation settings (admin): who can earn (eligibility), which replies count, and the relink
 * cooldown. Every rule is off at 0 / empty. The API validates again and explains any refusal.
 */
export const ModerationSettings = () => (
  <Edit resource="settings" id="moderation" mutationMode="pessimistic" redirect={false} title="Moderation settings">
    <SimpleForm toolbar={<Toolbar><SaveButton label="Save settings" /></Toolbar>}>
      <Section>Who can earn</Section>
      <Typography variant="body2" color="text.secondary">
        Checked when a member links X (they are told what they miss) and at every award. Engagements of members who do not qualify are held with the reason, and awarded if they qualify while the post is still tracked.
      </Typography>
      <NumberInput source="eligibility.minXAccountAgeDays" label="Minimum X account age (days)" validate={whole(3650)} />
      <NumberInput source="eligibility.minFollowers" label="Minimum X followers" validate={whole(10_000_000)} />
      <BooleanInput source="eligibility.requireUnprotected" label="X account must not be protected" />
      <NumberInput source="eligibility.minServerDays" label="Minimum time in the Discord server (days)" validate={whole(3650)} />
      <ArrayInput source="eligibility.requiredRoleIds" label="Required Discord roles (any one of them)">
        <SimpleFormIterator inline disableReordering>
          <TextInput source="" label="Role id" validate={snowflake} />
        </SimpleFormIterator>
      </ArrayInput>
      <Section>Which replies count</Section>
      <NumberInput source="replies.minWords" label="Minimum words (without mentions, links, emoji, hashtags)" validate={whole(100)} />
      <NumberInput source="replies.minChars" label="Minimum characters (same)" validate={whole(1000)} />
      <NumberInput source="replies.duplicateThreshold" label="Near-duplicate similarity (0 off, 0.5 to 1)" step={0.05} validate={[required(), number(), threshold]} />
      <ArrayInput source="replies.blockedPhrases" label="Blocked phrases (literal, any case)">
        <SimpleFormIterator inline disableReordering>
          <TextInput source="" label="Phrase" validate={literal} />
        </SimpleFormIterator>
      </ArrayInput>
      <Section>Linking</Section>
      <NumberInput source="relinkCooldownHours" label="Relink cooldown after unlinking (hours)" validate={whole(8760)} />
    </SimpleForm>
  </Edit>
);
