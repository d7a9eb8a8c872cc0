import SettingsIcon from '@mui/icons-material/Settings';
import { ModerationSettings } from './ModerationSettings';

export default {
  edit: ModerationSettings,
  icon: SettingsIcon,
  options: { label: 'Moderation settings' },
};
