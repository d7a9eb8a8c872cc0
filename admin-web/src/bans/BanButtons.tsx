import BlockIcon from '@mui/icons-material/Block';
import RestoreIcon from '@mui/icons-material/Restore';
import { Dialog, DialogActions, DialogContent, DialogTitle, TextField as MuiTextField } from '@mui/material';
import { useState } from 'react';
import { Button, useCanAccess, useDataProvider, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { EngagementDataProvider } from '../dataProvider';
import type { BanRecord, MemberRecord } from '../types';

/** A reason dialog shared by ban and unban (both need one; it goes to the audit log). */
const ReasonDialog = (p: { open: boolean; title: string; confirm: string; onClose: () => void; onConfirm: (reason: string) => Promise<void> }) => {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const ok = reason.trim().length >= 3;
  return (
    <Dialog open={p.open} onClose={p.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{p.title}</DialogTitle>
      <DialogContent>
        <MuiTextField autoFocus fullWidth margin="dense" label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} helperText="3 to 500 characters; kept in the audit log" slotProps={{ htmlInput: { maxLength: 500 } }} />
      </DialogContent>
      <DialogActions>
        <Button label="Cancel" onClick={p.onClose} />
        <Button
          label={p.confirm}
          variant="contained"
          disabled={!ok || busy}
          onClick={async () => {
            setBusy(true);
            try {
              await p.onConfirm(reason.trim());
              setReason('');
            } finally {
              setBusy(false);
            }
          }}
        />
      </DialogActions>
    </Dialog>
  );
};

function useBanAction() {
  const notify = useNotify();
  const refresh = useRefresh();
  return async (action: () => Promise<unknown>, done: string, close: () => void) => {
    try {
      await action();
      notify(done, { type: 'success' });
      close();
      refresh();
    } catch (err) {
      notify((err as Error).message || 'Failed', { type: 'error' });
    }
  };
}

/** On a member's page: ban (with a reason) or lift the ban. Admins only. */
export const MemberBanButton = () => {
  const record = useRecordContext<MemberRecord & { ban?: BanRecord | null }>();
  const { canAccess } = useCanAccess({ resource: 'bans', action: 'create' });
  const dp = useDataProvider<EngagementDataProvider>();
  const run = useBanAction();
  const [open, setOpen] = useState(false);
  if (!record || !canAccess) return null;
  const banned = !!record.ban;
  return (
    <>
      <Button label={banned ? 'Unban' : 'Ban'} color={banned ? 'primary' : 'error'} onClick={() => setOpen(true)}>
        {banned ? <RestoreIcon /> : <BlockIcon />}
      </Button>
      <ReasonDialog
        open={open}
        title={banned ? `Lift the ban on ${record.displayName}?` : `Ban ${record.displayName}? They keep their points but earn nothing and are hidden from the leaderboards.`}
        confirm={banned ? 'Unban' : 'Ban'}
        onClose={() => setOpen(false)}
        onConfirm={(reason) => run(() => (banned ? dp.unban(record.id, reason) : dp.ban(record.id, reason)), banned ? 'Ban lifted' : 'Member banned', () => setOpen(false))}
      />
    </>
  );
};

/** In the bans list: lift a ban (with a reason). */
export const UnbanButton = () => {
  const record = useRecordContext<BanRecord>();
  const { canAccess } = useCanAccess({ resource: 'bans', action: 'delete' });
  const dp = useDataProvider<EngagementDataProvider>();
  const run = useBanAction();
  const [open, setOpen] = useState(false);
  if (!record || !canAccess) return null;
  return (
    <>
      <Button label="Unban" onClick={() => setOpen(true)}>
        <RestoreIcon />
      </Button>
      <ReasonDialog open={open} title="Lift this ban?" confirm="Unban" onClose={() => setOpen(false)} onConfirm={(reason) => run(() => dp.unban(record.discordId, reason), 'Ban lifted', () => setOpen(false))} />
    </>
  );
};
