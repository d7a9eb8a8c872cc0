import PeopleIcon from '@mui/icons-material/People';
import type { MemberRecord } from '../types';
import { MemberEdit } from './MemberEdit';
import { MemberList } from './MemberList';

export default {
  list: MemberList,
  edit: MemberEdit,
  icon: PeopleIcon,
  recordRepresentation: (r: MemberRecord) => r.displayName,
};
