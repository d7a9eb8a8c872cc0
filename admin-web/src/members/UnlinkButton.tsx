import LinkOffIcon from '@mui/icons-material/LinkOff';
import { useState } from 'react';
import { Button, Confirm, useDelete, useNotify, useRecordContext, useRefresh } from 'react-admin';
import type { MemberRecord } from '../types';

/** Disconnect a member's X account (DELETE /api/members/:id); points stay. */
export const UnlinkButton = () => {
  const record = useRecordContext<MemberRecord>();
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const [remove, { isPending }] = useDelete();
  if (!record || record.linkStatus === 'unlinked') return null;
  const confirm = () =>
    remove(
      'members',
      { id: record.id, previousData: record },
      {
        mutationMode: 'pessimistic',
        onSuccess: () => {
          setOpen(false);
          notify('X account unlinked', { type: 'success' });
          refresh();
        },
        onError: (err) => {
          setOpen(false);
          notify((err as Error).message || 'Could not unlink', { type: 'error' });
        },
      },
    );
  return (
    <>
      <Button label="Unlink X account" color="warning" onClick={() => setOpen(true)}>
        <LinkOffIcon />
      </Button>
      <Confirm
        isOpen={open}
        loading={isPending}
        title={`Unlink @${record.handle ?? ''} from ${record.displayName}?`}
        content="The member's X tokens are deleted and their engagements stop counting until they /connect again. Points already earned stay."
        confirm="Unlink"
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
};
