import SettingsIcon from '@mui/icons-material/Settings';
import { Menu as RaMenu, useCanAccess } from 'react-admin';

/**
 * Dashboard first, then every resource the signed-in role may list (react-admin asks canAccess),
 * then the moderation settings (a single record, so no list) for those who may edit them.
 */
export const Menu = () => {
  const { canAccess } = useCanAccess({ resource: 'settings', action: 'edit' });
  return (
    <RaMenu>
      <RaMenu.DashboardItem primaryText="Overview" />
      <RaMenu.ResourceItems />
      {canAccess ? <RaMenu.Item to="/settings/moderation" primaryText="Moderation settings" leftIcon={<SettingsIcon />} /> : null}
    </RaMenu>
  );
};
