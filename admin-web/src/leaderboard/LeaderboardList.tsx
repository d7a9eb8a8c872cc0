import DownloadIcon from '@mui/icons-material/Download';
import { Button as MuiButton } from '@mui/material';
import { DataTable, List, SelectInput, SimpleList, TopToolbar, useListContext, type ListProps } from 'react-admin';
import { useSmall } from '../common/useSmall';
import { EmptyState } from '../common/EmptyState';
import { TierField } from '../common/TierField';
import { leaderboardCsvUrl } from '../dataProvider';
import { TIER_NAMES, type LeaderboardRecord } from '../types';
import { useWeeks } from './useWeeks';

const Col = DataTable.Col<LeaderboardRecord>;
const NumberCol = DataTable.NumberCol<LeaderboardRecord>;

const WeekInput = (props: { source: string; alwaysOn?: boolean }) => {
  const { data: weeks = [] } = useWeeks();
  const { filterValues } = useListContext();
  if (filterValues.board !== 'weekly') return null;
  return <SelectInput {...props} label="Week" choices={weeks.map((w, i) => ({ id: w, name: i === 0 ? `${w} (this week)` : w }))} emptyText="This week" />;
};

const filters = [
  <SelectInput
    key="board"
    source="board"
    label="Board"
    alwaysOn
    choices={[
      { id: 'alltime', name: 'All time' },
      { id: 'weekly', name: 'Weekly' },
    ]}
    emptyValue="alltime"
    emptyText="All time"
  />,
  <WeekInput key="week" source="week" alwaysOn />,
];

const ExportCsv = () => {
  const { filterValues, total } = useListContext();
  const board = filterValues.board === 'weekly' ? 'weekly' : 'alltime';
  const week = board === 'weekly' ? (filterValues.week as string | undefined) : undefined;
  return (
    <MuiButton size="small" startIcon={<DownloadIcon />} href={leaderboardCsvUrl(board, week)} download disabled={!total} data-testid="export-csv">
      Export CSV
    </MuiButton>
  );
};

const Empty = () => (
  <EmptyState title="No points yet" hint="The leaderboard fills up after a batch run awards points for engagements with submitted tweets. Admins can start a run from Batch jobs." />
);

export const LeaderboardList = (props: Omit<ListProps, 'children'>) => {
  const small = useSmall();
  return (
    <List
      {...props}
      title="Leaderboard"
      filters={filters}
      filterDefaultValues={{ board: 'alltime' }}
      sort={{ field: 'rank', order: 'ASC' }}
      perPage={50}
      actions={
        <TopToolbar>
          <ExportCsv />
        </TopToolbar>
      }
      empty={false}
      exporter={false}
    >
      {small ? (
        <SimpleList<LeaderboardRecord>
          rowClick={false}
          empty={<Empty />}
          primaryText={(r) => `#${r.rank} ${r.displayName}`}
          secondaryText={(r) => `${r.handle ? `@${r.handle} · ` : ''}tier ${r.tier} · ${TIER_NAMES[r.tier] ?? ''}`}
          tertiaryText={(r) => `${r.points} pts`}
        />
      ) : (
        <DataTable rowClick={false} bulkActionButtons={false} empty={<Empty />}>
          <NumberCol source="rank" label="#" disableSort />
          <Col source="displayName" label="Member" disableSort />
          <Col source="handle" label="X account" disableSort render={(r) => (r.handle ? `@${r.handle}` : '—')} />
          <Col source="tier" disableSort render={() => <TierField />} />
          <NumberCol source="points" disableSort />
        </DataTable>
      )}
    </List>
  );
};
