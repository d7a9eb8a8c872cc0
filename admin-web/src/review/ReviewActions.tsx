import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import { useState } from 'react';
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';
import type { HeldRecord } from '../types';

/** Approve (award the points) or dismiss (drop for good) one held engagement; admins only. */
export const ReviewActions = () => {
  const record = useRecordContext<HeldRecord>();
  const { canAccess } = useCanAccess({ resource: 'review', action: 'edit' });
  const dp = useDataProvider<EngagementDataProvider>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!record || !canAccess || record.status !== 'held') return null;
  const act = (action: 'approve' | 'dismiss') => async (e: React.MouseEvent) => {
    e.stopPropagation();
    setBusy(true);
    try {
      const res = await dp.reviewAction(record.id, action);
      notify(action === 'approve' ? `Awarded ${res.points ?? 0} point(s)` : 'Dismissed: it will never be awarded', { type: 'success' });
      refresh();
    } catch (err) {
      notify((err as Error).message || `Could not ${action}`, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button label="Approve" color="success" disabled={busy} onClick={act('approve')}>
        <CheckIcon />
      </Button>
      <Button label="Dismiss" color="warning" disabled={busy} onClick={act('dismiss')}>
        <CloseIcon />
      </Button>
    </>
  );
};
