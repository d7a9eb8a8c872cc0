import TuneIcon from '@mui/icons-material/Tune';
import { RulesGrid } from './RulesGrid';

export default {
  list: RulesGrid,
  icon: TuneIcon,
  options: { label: 'Rules' },
};
