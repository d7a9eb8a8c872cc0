import { Alert, Box, Typography } from '@mui/material';
import { useState } from 'react';
import {
  CheckboxGroupInput, Create, DataTable, DeleteWithConfirmButton, List, NumberInput, SimpleForm, TextInput, TopToolbar, CreateButton,
  maxValue, minLength, minValue, number, required,
} from 'react-admin';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import { TOKEN_SCOPES, type ApiTokenRecord } from '../types';

const Col = DataTable.Col<ApiTokenRecord>;

const Empty = () => <EmptyState title="No API tokens" hint="Tokens let scripts call the admin API with chosen scopes. Each is shown once when created." action={<CreateButton label="Create a token" />} />;

export const TokenList = () => (
  <List sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} empty={<Empty />} title="API tokens" actions={<TopToolbar><CreateButton label="Create a token" /></TopToolbar>}>
    <DataTable rowClick={false} bulkActionButtons={false}>
      <Col source="name" disableSort />
      <Col source="scopes" render={(r) => r.scopes.join(', ')} disableSort />
      <Col source="createdBy" label="Created by" disableSort />
      <Col source="createdAt" label="Created" render={(r) => formatDateTime(r.createdAt)} />
      <Col source="expiresAt" label="Expires" render={(r) => (r.expiresAt ? formatDateTime(r.expiresAt) : 'never')} disableSort />
      <Col source="lastUsedAt" label="Last used" render={(r) => (r.lastUsedAt ? formatDateTime(r.lastUsedAt) : 'never')} disableSort />
      <Col label="" render={(r) => <DeleteWithConfirmButton label="Revoke" confirmTitle={`Revoke "${r.name}"?`} confirmContent="Requests with this token are refused from now on." mutationMode="pessimistic" />} disableSort />
    </DataTable>
  </List>
);

/** Create a token; the secret is shown once, here, and never again. */
export const TokenCreate = () => {
  const [created, setCreated] = useState<ApiTokenRecord | null>(null);
  if (created?.token) {
    return (
      <Box sx={{ p: 2 }} data-testid="token-created">
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy this token now: it is shown only once.
        </Alert>
        <Typography variant="body2">Token “{created.name}” ({created.scopes.join(', ')})</Typography>
        <Typography component="pre" data-testid="token-secret" sx={{ fontFamily: 'monospace', p: 1, bgcolor: 'action.hover', overflowX: 'auto' }}>
          {created.token}
        </Typography>
        <a href="#/api-tokens">Back to the tokens</a>
      </Box>
    );
  }
  return (
    <Create title="Create an API token" redirect={false} mutationOptions={{ onSuccess: (data: ApiTokenRecord) => setCreated(data) }}>
      <SimpleForm defaultValues={{ scopes: ['read'] }}>
        <TextInput source="name" validate={[required(), minLength(1)]} helperText="What the token is for" />
        <CheckboxGroupInput source="scopes" choices={TOKEN_SCOPES.map((s) => ({ id: s, name: s }))} validate={required('Pick at least one scope')} />
        <NumberInput source="expiresInDays" label="Expires after (days, empty = never)" validate={[number(), minValue(1), maxValue(365)]} />
      </SimpleForm>
    </Create>
  );
};
