import { Chip, Typography } from '@mui/material';
import { AppBar as RaAppBar, TitlePortal, usePermissions } from 'react-admin';

/** The top bar: page title, the signed-in role and the user menu (sign out). */
export const AppBar = () => {
  const { permissions } = usePermissions<string>();
  return (
    <RaAppBar color="primary">
      <TitlePortal />
      <Typography variant="subtitle2" sx={{ display: { xs: 'none', sm: 'block' }, mr: 1, opacity: 0.85 }}>
        Engagement Tracker
      </Typography>
      {permissions ? <Chip size="small" label={permissions} data-testid="role-chip" sx={{ color: 'inherit', borderColor: 'currentColor', mr: 1 }} variant="outlined" /> : null}
    </RaAppBar>
  );
};
