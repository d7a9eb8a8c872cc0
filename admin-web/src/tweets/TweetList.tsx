import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import { Link, Typography } from '@mui/material';
import { DataTable, List, ReferenceField, SimpleList, TextField, useCanAccess, type ListProps } from 'react-admin';
import { useSmall } from '../common/useSmall';
import { EmptyState } from '../common/EmptyState';
import { formatDateTime, formatShort } from '../common/format';
import { StatusChip } from '../common/StatusChip';
import type { TweetRecord } from '../types';
import { DeleteTweetButton } from './DeleteTweetButton';
import { tweetFilters } from './TweetFilters';

const Col = DataTable.Col<TweetRecord>;
const NumberCol = DataTable.NumberCol<TweetRecord>;

const Empty = () => (
  <EmptyState
    title="No tweets yet"
    hint="Members submit tweets with /submit in the engagement channel on Discord. Submitted tweets appear here with their engagement counts and points."
  />
);

const TweetLink = ({ record }: { record: TweetRecord }) => (
  <Link href={record.url} target="_blank" rel="noopener noreferrer" onClick={(e) => e.stopPropagation()} sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}>
    @{record.authorHandle} <OpenInNewIcon sx={{ fontSize: 14 }} />
  </Link>
);

/** Public counts on X, as the last batch run saw them. */
const Metrics = ({ m }: { m: TweetRecord['metrics'] | undefined }) => (
  <Typography variant="body2" sx={{ whiteSpace: 'nowrap' }} color="text.secondary">
    {m ? `${m.likes} · ${m.retweets} · ${m.replies} · ${m.quotes}` : '—'}
  </Typography>
);

export const TweetList = (props: Omit<ListProps, 'children'>) => {
  const { canAccess: canDelete } = useCanAccess({ resource: 'tweets', action: 'delete' });
  const small = useSmall();
  return (
    <List {...props} filters={tweetFilters} sort={{ field: 'submittedAt', order: 'DESC' }} perPage={25} empty={<Empty />} title="Tweets">
      {small ? (
        <SimpleList<TweetRecord>
          rowClick={(_id, _res, r) => {
            window.open(r.url, '_blank', 'noopener');
            return false;
          }}
          primaryText={(r) => `@${r.authorHandle} · ${r.category}`}
          secondaryText={(r) => `${r.submitterName ?? r.submitterId} · ${formatShort(r.submittedAt)} · ${r.status}`}
          tertiaryText={(r) => `${r.pointsAwarded} pts`}
        />
      ) : (
        <DataTable rowClick={false} bulkActionButtons={false}>
          <Col label="Tweet" source="authorHandle" render={(r) => <TweetLink record={r} />} disableSort />
          <Col source="submitterName" label="Submitted by" disableSort render={(r) => (r.submitterName ? <Typography variant="body2">{r.submitterName}</Typography> : <ReferenceField source="submitterId" reference="members" link={false}><TextField source="displayName" /></ReferenceField>)} />
          <Col source="category" />
          <Col source="status" render={(r) => <StatusChip status={r.status} />} />
          <Col source="submittedAt" label="Submitted" render={(r) => <span title={formatDateTime(r.submittedAt)}>{formatShort(r.submittedAt)}</span>} />
          <Col label="Likes · reposts · replies · quotes" disableSort render={(r) => <Metrics m={r.metrics} />} />
          <NumberCol source="engagementCount" label="Engagements" />
          <NumberCol source="pointsAwarded" label="Points" />
          {canDelete ? <Col label="" disableSort render={() => <DeleteTweetButton />} /> : null}
        </DataTable>
      )}
    </List>
  );
};
