import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** What a list shows when there is nothing yet, and what to do about it. */
export const EmptyState = ({ title, hint, action }: { title: string; hint: ReactNode; action?: ReactNode }) => (
  <Box sx={{ textAlign: 'center', py: 6, px: 2, width: '100%' }} data-testid="empty-state">
    <Typography variant="h6" gutterBottom>
      {title}
    </Typography>
    <Typography variant="body2" color="text.secondary" sx={{ maxWidth: 520, mx: 'auto' }}>
      {hint}
    </Typography>
    {action ? <Box sx={{ mt: 2 }}>{action}</Box> : null}
  </Box>
);
