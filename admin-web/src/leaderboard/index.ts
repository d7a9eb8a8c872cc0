import EmojiEventsIcon from '@mui/icons-material/EmojiEvents';
import type { LeaderboardRecord } from '../types';
import { LeaderboardList } from './LeaderboardList';

export default {
  list: LeaderboardList,
  icon: EmojiEventsIcon,
  options: { label: 'Leaderboard' },
  recordRepresentation: (r: LeaderboardRecord) => `#${r.rank} ${r.displayName}`,
};
