import MilitaryTechIcon from '@mui/icons-material/MilitaryTech';
import type { RoleRewardRecord } from '../types';
import { RoleRewardCreate, RoleRewardEdit } from './RoleRewardEdit';
import { RoleRewardList } from './RoleRewardList';
import { RoleRewardShow } from './RoleRewardShow';

export default {
  list: RoleRewardList,
  show: RoleRewardShow,
  create: RoleRewardCreate,
  edit: RoleRewardEdit,
  icon: MilitaryTechIcon,
  options: { label: 'Role rewards' },
  recordRepresentation: (r: RoleRewardRecord) => r.name,
};
