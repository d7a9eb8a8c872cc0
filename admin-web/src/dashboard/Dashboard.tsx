import EmojiEventsIcon from '@mui/icons-material/EmojiEvents';
import LinkIcon from '@mui/icons-material/Link';
import TagIcon from '@mui/icons-material/Tag';
import { Alert, Box, Button, Grid } from '@mui/material';
import { Title } from 'react-admin';
import { LastRunCard } from './LastRunCard';
import { PointsChart } from './PointsChart';
import { StatCard } from './StatCard';
import { useOverview } from './useOverview';

export const Dashboard = () => {
  const { data, isPending, error, refetch } = useOverview();
  return (
    <Box sx={{ mt: 2 }} data-testid="dashboard">
      <Title title="Overview" />
      {error ? (
        <Alert severity="error" sx={{ mb: 2 }} action={<Button onClick={() => void refetch()}>Retry</Button>}>
          {(error as Error).message || 'Could not load the overview.'}
        </Alert>
      ) : null}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, sm: 6, lg: 3 }}>
          <StatCard testId="card-active-tweets" title="Active tweets" icon={<TagIcon fontSize="inherit" />} loading={isPending} value={data?.activeTweets ?? '—'} caption="tracked in the current window" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 3 }}>
          <StatCard testId="card-linked-members" title="Linked members" icon={<LinkIcon fontSize="inherit" />} loading={isPending} value={data?.linkedMembers ?? '—'} caption="with an X account connected" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 3 }}>
          <StatCard testId="card-top-score" title="Top score" icon={<EmojiEventsIcon fontSize="inherit" />} loading={isPending} value={data?.topScore ?? '—'} caption="all-time points of the leader" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, lg: 3 }}>
          <LastRunCard run={data?.lastRun} loading={isPending} />
        </Grid>
        <Grid size={12}>{data ? <PointsChart data={data.pointsPerDay} /> : null}</Grid>
      </Grid>
    </Box>
  );
};
