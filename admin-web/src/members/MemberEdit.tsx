import { Box, Card, CardContent, Grid, Typography } from '@mui/material';
import { Edit, SaveButton, SelectInput, SimpleForm, Toolbar, TopToolbar, useRecordContext } from 'react-admin';
import { formatDateTime } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import { TIER_NAMES, type MemberRecord } from '../types';
import { AdjustPoints } from './AdjustPoints';
import { PointsHistory } from './PointsHistory';
import { MemberBanButton } from '../bans/BanButtons';
import { UnlinkButton } from './UnlinkButton';

const Summary = () => {
  const r = useRecordContext<MemberRecord>();
  if (!r) return null;
  const counts = r.counts ?? {};
  return (
    <Card sx={{ mb: 2 }} data-testid="member-summary">
      <CardContent>
        <Typography variant="h6">{r.displayName}</Typography>
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap', my: 1 }}>
          <Typography variant="body2">{r.handle ? `@${r.handle}` : 'No X account'}</Typography>
          <StatusChip status={r.linkStatus} />
          {r.ban ? (
            <Typography variant="body2" color="error" data-testid="member-banned">
              Banned: {r.ban.reason} (by {r.ban.actor}, {formatDateTime(r.ban.at)}): hidden from the leaderboards, earns nothing
            </Typography>
          ) : null}
        </Box>
        <Grid container spacing={2}>
          {[
            ['Total points', r.totalPoints],
            ['This week', r.weeklyPoints],
            ['Likes', counts.like ?? 0],
            ['Reposts', counts.retweet ?? 0],
            ['Replies', counts.reply ?? 0],
            ['Quotes', counts.quote ?? 0],
          ].map(([label, v]) => (
            <Grid key={label} size={{ xs: 4, sm: 2 }}>
              <Typography variant="caption" color="text.secondary">
                {label}
              </Typography>
              <Typography variant="h6" data-testid={`member-${String(label).toLowerCase().replace(/ /g, '-')}`}>
                {v}
              </Typography>
            </Grid>
          ))}
        </Grid>
        <Typography variant="caption" color="text.secondary">
          Joined {formatDateTime(r.joinedAt)} · Discord id {r.id}
        </Typography>
      </CardContent>
    </Card>
  );
};

const Actions = () => (
  <TopToolbar>
    <UnlinkButton />
    <MemberBanButton />
  </TopToolbar>
);

const FormToolbar = () => (
  <Toolbar>
    <SaveButton label="Save tier" />
  </Toolbar>
);

export const MemberEdit = () => (
  <Edit actions={<Actions />} mutationMode="pessimistic" title="Member" redirect={false}>
    <Box sx={{ p: 2, pb: 0 }}>
      <Summary />
    </Box>
    <SimpleForm toolbar={<FormToolbar />}>
      <SelectInput source="tier" label="Tier" choices={[1, 2, 3].map((t) => ({ id: t, name: `${t} · ${TIER_NAMES[t as 1 | 2 | 3]}` }))} helperText="Points for future engagements follow the tier's rules." />
    </SimpleForm>
    <Box sx={{ p: 2, pt: 0 }}>
      <AdjustPoints />
      <PointsHistory />
    </Box>
  </Edit>
);
