import FactCheckIcon from '@mui/icons-material/FactCheck';
import { ReviewList } from './ReviewList';

export default {
  list: ReviewList,
  icon: FactCheckIcon,
  options: { label: 'Review queue' },
};
