import { Box, Card, CardContent, Skeleton, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** One number on the overview, with a caption and an icon. */
export const StatCard = ({ title, value, caption, icon, loading, testId }: { title: string; value: ReactNode; caption?: ReactNode; icon: ReactNode; loading?: boolean; testId: string }) => (
  <Card sx={{ height: '100%' }} data-testid={testId}>
    <CardContent sx={{ display: 'flex', gap: 2, alignItems: 'center' }}>
      <Box sx={{ color: 'primary.main', display: 'flex', fontSize: 40 }}>{icon}</Box>
      <Box sx={{ minWidth: 0 }}>
        <Typography variant="body2" color="text.secondary">
          {title}
        </Typography>
        <Typography variant="h5" component="div" data-testid={`${testId}-value`}>
          {loading ? <Skeleton width={60} /> : value}
        </Typography>
        {caption ? (
          <Typography variant="caption" color="text.secondary" component="div">
            {caption}
          </Typography>
        ) : null}
      </Box>
    </CardContent>
  </Card>
);
