import { Create, Edit } from 'react-admin';
import { SeasonForm } from './SeasonForm';

export const SeasonCreate = () => (
  <Create redirect="list">
    <SeasonForm />
  </Create>
);

export const SeasonEdit = () => (
  <Edit mutationMode="pessimistic" redirect="list">
    <SeasonForm />
  </Edit>
);
