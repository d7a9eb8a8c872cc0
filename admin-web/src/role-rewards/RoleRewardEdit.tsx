import { Create, Edit } from 'react-admin';
import { RoleRewardForm, toRoleRewardBody, type RoleRewardFormData } from './RoleRewardForm';

export const RoleRewardCreate = () => (
  <Create redirect="show" transform={(d: RoleRewardFormData) => toRoleRewardBody(d)} title="New role reward">
    <RoleRewardForm />
  </Create>
);

export const RoleRewardEdit = () => (
  <Edit mutationMode="pessimistic" redirect="show" transform={(d: RoleRewardFormData) => toRoleRewardBody(d)}>
    <RoleRewardForm />
  </Edit>
);
