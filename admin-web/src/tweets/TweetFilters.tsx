import { DateInput, ReferenceInput, SearchInput, SelectInput, TextInput } from 'react-admin';

export const tweetFilters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search author, URL, text" />,
  <TextInput key="category" source="category" label="Category" />,
  <SelectInput
    key="status"
    source="status"
    choices={[
      { id: 'active', name: 'Active' },
      { id: 'deleted', name: 'Deleted' },
      { id: 'unavailable', name: 'Unavailable' },
    ]}
  />,
  <ReferenceInput key="submitterId" source="submitterId" reference="members" perPage={200} sort={{ field: 'totalPoints', order: 'DESC' }}>
    <SelectInput optionText="displayName" label="Submitter" />
  </ReferenceInput>,
  <DateInput key="since" source="since" label="Submitted since" />,
  <DateInput key="until" source="until" label="Submitted until" />,
];
