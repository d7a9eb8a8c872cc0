import ReceiptLongIcon from '@mui/icons-material/ReceiptLong';
import { AuditList } from './AuditList';

export default {
  list: AuditList,
  icon: ReceiptLongIcon,
  options: { label: 'Audit log' },
};
