import KeyIcon from '@mui/icons-material/Key';
import { TokenCreate, TokenList } from './TokenList';

export default {
  list: TokenList,
  create: TokenCreate,
  icon: KeyIcon,
  options: { label: 'API tokens' },
};
