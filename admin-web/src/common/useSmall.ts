import { useMediaQuery, type Theme } from '@mui/material';

/** True on a phone-sized screen, where lists show as simple lists instead of tables. */
export function useSmall(): boolean {
  return useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
}
