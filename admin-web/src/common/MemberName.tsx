import { ReferenceField, TextField } from 'react-admin';

/** A member's display name from their Discord id (`discordId` of the record), linking to their page. */
export const MemberName = () => (
  <ReferenceField source="discordId" reference="members" link="edit">
    <TextField source="displayName" />
  </ReferenceField>
);
