import { Alert } from '@mui/material';
import { Link } from 'react-router-dom';
import { DataTable, List, SelectInput, SimpleList } from 'react-admin';
import { MemberName } from '../common/MemberName';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime } from '../common/format';
import { useSmall } from '../common/useSmall';
import type { HeldRecord } from '../types';
import { ReviewActions } from './ReviewActions';

const Col = DataTable.Col<HeldRecord>;

const REASONS = [
  { id: 'ineligible', name: 'Member not eligible' },
  { id: 'reply', name: 'Reply rejected' },
];
const filters = [<SelectInput key="reason" source="reason" label="Why held" choices={REASONS} alwaysOn />];

const reasonText = (r: HeldRecord) => (r.reason === 'reply' ? 'Reply rejected' : 'Not eligible');
const postLink = (r: HeldRecord) => (
  <a href={`https://x.com/i/web/status/${r.tweetId}`} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()}>
    {r.tweetId}
  </a>
);

/** Anomalous members are not held items: they are listed on Members under the "Anomalous" filter. */
const AnomalyHint = () => (
  <Alert severity="info" sx={{ mb: 1 }}>
    Members gaining points far faster than usual are flagged on{' '}
    <Link to={`/members?filter=${encodeURIComponent(JSON.stringify({ anomalous: true }))}`}>Members → Anomalous points</Link>; ban them from their page.
  </Alert>
);

const Empty = () => (
  <EmptyState
    title="Nothing to review"
    hint="Engagements held back by the moderation rules (members who are not eligible yet, replies that fail the reply rules) appear here. Set the rules under Moderation settings."
  />
);

export const ReviewList = () => {
  const small = useSmall();
  return (
    <List filters={filters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} empty={<Empty />} title="Review queue" aside={undefined} actions={false}>
      <AnomalyHint />
      {small ? (
        <SimpleList<HeldRecord> primaryText={(r) => `${reasonText(r)}: ${r.detail}`} secondaryText={(r) => `${r.kind} on ${r.tweetId}${r.text ? ` · “${r.text}”` : ''}`} tertiaryText={(r) => formatDateTime(r.createdAt)} rowClick={false} />
      ) : (
        <DataTable rowClick={false} bulkActionButtons={false}>
          <Col source="discordId" label="Member" render={() => <MemberName />} disableSort />
          <Col source="tweetId" label="Post" render={postLink} disableSort />
          <Col source="kind" disableSort />
          <Col source="reason" label="Why held" render={reasonText} disableSort />
          <Col source="detail" label="Detail" disableSort />
          <Col source="text" label="Reply" render={(r) => r.text ?? ''} disableSort />
          <Col source="createdAt" label="Held since" render={(r) => formatDateTime(r.createdAt)} />
          <Col label="Decide" render={() => <ReviewActions />} disableSort />
        </DataTable>
      )}
    </List>
  );
};
