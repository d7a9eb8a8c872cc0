import { Box, Card, CardContent, Tooltip, Typography } from '@mui/material';

/** Points awarded per day as a bar chart (flexbox bars, no chart library). */
export const PointsChart = ({ data }: { data: Array<{ day: string; points: number }> }) => {
  const max = Math.max(1, ...data.map((d) => d.points));
  const total = data.reduce((s, d) => s + d.points, 0);
  return (
    <Card data-testid="card-points-chart">
      <CardContent>
        <Typography variant="subtitle1">Points per day</Typography>
        <Typography variant="caption" color="text.secondary">
          {total > 0 ? `${total.toLocaleString()} points in the last ${data.length} days` : 'No points awarded yet: they appear after a batch run finds engagements.'}
        </Typography>
        <Box sx={{ display: 'flex', alignItems: 'flex-end', gap: '4px', height: 160, mt: 2 }} role="img" aria-label="points per day">
          {data.map((d) => (
            <Tooltip key={d.day} title={`${d.day}: ${d.points} points`}>
              <Box sx={{ flex: 1, display: 'flex', flexDirection: 'column', justifyContent: 'flex-end', height: '100%', minWidth: 4 }}>
                <Box
                  data-points={d.points}
                  sx={{ height: `${Math.max((100 * d.points) / max, d.points > 0 ? 3 : 1)}%`, bgcolor: d.points > 0 ? 'primary.main' : 'grey.300', borderRadius: '3px 3px 0 0' }}
                />
              </Box>
            </Tooltip>
          ))}
        </Box>
        <Box sx={{ display: 'flex', justifyContent: 'space-between', mt: 0.5 }}>
          <Typography variant="caption" color="text.secondary">
            {data[0]?.day ?? ''}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {data[data.length - 1]?.day ?? ''}
          </Typography>
        </Box>
      </CardContent>
    </Card>
  );
};
