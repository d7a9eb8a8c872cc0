import BlockIcon from '@mui/icons-material/Block';
import { BanList } from './BanList';

export default {
  list: BanList,
  icon: BlockIcon,
  options: { label: 'Bans' },
};
