import { Admin, Resource } from 'react-admin';
import apiTokens from './api-tokens';
import audit from './audit';
import bans from './bans';
import { authProvider } from './authProvider';
import batches from './batches';
import { Dashboard } from './dashboard';
import { createDataProvider } from './dataProvider';
import { Layout, Login } from './layout';
import leaderboard from './leaderboard';
import members from './members';
import moderation from './moderation';
import review from './review';
import roleRewards from './role-rewards';
import rules from './rules';
import seasons from './seasons';
import { lightTheme } from './themes';
import tweets from './tweets';

const dataProvider = createDataProvider();

export const App = () => (
  <Admin
    title="Engagement Tracker"
    dataProvider={dataProvider}
    authProvider={authProvider}
    dashboard={Dashboard}
    layout={Layout}
    loginPage={Login}
    theme={lightTheme}
    requireAuth
    disableTelemetry
  >
    <Resource name="tweets" {...tweets} />
    <Resource name="leaderboard" {...leaderboard} />
    <Resource name="members" {...members} />
    <Resource name="rules" {...rules} />
    <Resource name="seasons" {...seasons} />
    <Resource name="role-rewards" {...roleRewards} />
    <Resource name="batches" {...batches} />
    <Resource name="audit-log" {...audit} />
    <Resource name="review" {...review} />
    <Resource name="bans" {...bans} />
    <Resource name="settings" {...moderation} />
    <Resource name="api-tokens" {...apiTokens} />
  </Admin>
);
