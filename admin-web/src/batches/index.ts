import HistoryIcon from '@mui/icons-material/History';
import type { BatchRecord } from '../types';
import { BatchList } from './BatchList';
import { BatchShow } from './BatchShow';

export default {
  list: BatchList,
  show: BatchShow,
  icon: HistoryIcon,
  options: { label: 'Batch jobs' },
  recordRepresentation: (r: BatchRecord) => `Run ${r.id}`,
};
