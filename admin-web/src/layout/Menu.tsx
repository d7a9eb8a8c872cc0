import { Menu as RaMenu } from 'react-admin';

/** Dashboard first, then every resource the signed-in role may list (react-admin asks canAccess). */
export const Menu = () => (
  <RaMenu>
    <RaMenu.DashboardItem primaryText="Overview" />
    <RaMenu.ResourceItems />
  </RaMenu>
);
