import EmojiEventsIcon from '@mui/icons-material/EmojiEvents';
import type { SeasonRecord } from '../types';
import { SeasonCreate, SeasonEdit } from './SeasonEdit';
import { SeasonList } from './SeasonList';

export default {
  list: SeasonList,
  create: SeasonCreate,
  edit: SeasonEdit,
  icon: EmojiEventsIcon,
  options: { label: 'Seasons' },
  recordRepresentation: (r: SeasonRecord) => r.name,
};
