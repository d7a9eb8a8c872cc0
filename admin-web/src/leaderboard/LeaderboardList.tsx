import DownloadIcon from '@mui/icons-material/Download';
import { Button as MuiButton } from '@mui/material';
import { DataTable, List, SelectInput, SimpleList, TopToolbar, useGetList, useListContext, type ListProps } from 'react-admin';
import { useSmall } from '../common/useSmall';
import { EmptyState } from '../common/EmptyState';
import { TierField } from '../common/TierField';
import { leaderboardCsvUrl } from '../dataProvider';
import { TIER_NAMES, type LeaderboardRecord, type SeasonRecord } from '../types';
import { usePeriods } from './usePeriods';

const Col = DataTable.Col<LeaderboardRecord>;
const NumberCol = DataTable.NumberCol<LeaderboardRecord>;

const PERIOD_BOARDS = { daily: 'today', weekly: 'this week', monthly: 'this month' } as const;
type PeriodBoard = keyof typeof PERIOD_BOARDS;
const isPeriodBoard = (b: unknown): b is PeriodBoard => typeof b === 'string' && b in PERIOD_BOARDS;

/** Past days, weeks or months that still have a board (newest first), for the period boards. */
const PeriodInput = (props: { source: string; alwaysOn?: boolean }) => {
  const { filterValues } = useListContext();
  const raw: unknown = filterValues.board;
  const board = isPeriodBoard(raw) ? raw : undefined;
  const { data: periods = [] } = usePeriods(board);
  if (!board) return null;
  return <SelectInput {...props} label="Period" choices={periods.map((p, i) => ({ id: p, name: i === 0 ? `${p} (${PERIOD_BOARDS[board]})` : p }))} emptyText={`Current (${PERIOD_BOARDS[board]})`} />;
};

/** Seasons, newest first, for the season board. */
const SeasonInput = (props: { source: string; alwaysOn?: boolean }) => {
  const { filterValues } = useListContext();
  const { data: seasons = [] } = useGetList<SeasonRecord>('seasons', { pagination: { page: 1, perPage: 100 }, sort: { field: 'startsAt', order: 'DESC' } });
  if (filterValues.board !== 'season') return null;
  return <SelectInput {...props} label="Season" choices={seasons.filter((x) => x.status !== 'scheduled').map((x) => ({ id: x.id, name: `${x.name} (${x.status})` }))} />;
};

const filters = [
  <SelectInput
    key="board"
    source="board"
    label="Board"
    alwaysOn
    choices={[
      { id: 'daily', name: 'Day' },
      { id: 'weekly', name: 'Week' },
      { id: 'monthly', name: 'Month' },
      { id: 'season', name: 'Season' },
      { id: 'alltime', name: 'All time' },
    ]}
    emptyValue="alltime"
    emptyText="All time"
  />,
  <PeriodInput key="period" source="period" alwaysOn />,
  <SeasonInput key="season" source="season" alwaysOn />,
];

/** Exports the board on screen (board, period or season) as CSV. */
const ExportCsv = () => {
  const { filterValues, total } = useListContext();
  const f = filterValues as { board?: string; period?: string; week?: string; season?: string };
  const board = f.board ?? 'alltime';
  const href = leaderboardCsvUrl(board, { period: isPeriodBoard(board) ? (f.period ?? f.week) : undefined, season: board === 'season' ? f.season : undefined });
  return (
    <MuiButton size="small" startIcon={<DownloadIcon />} href={href} download disabled={!total || (board === 'season' && !f.season)} data-testid="export-csv">
      Export CSV
    </MuiButton>
  );
};

const Empty = () => (
  <EmptyState title="No points on this board" hint="The leaderboard fills up after a batch run awards points for engagements with submitted tweets. Admins can start a run from Batch jobs." />
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
