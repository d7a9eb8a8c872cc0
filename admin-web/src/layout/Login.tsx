import { Alert, Box, Button, Card, CardContent, Divider, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useLogin, useNotify } from 'react-admin';
import { useLocation } from 'react-router-dom';
import type { LoginParams } from '../authProvider';
import { ROLE_SUMMARY } from '../permissions';

/** GET /auth/config: which sign-ins the admin API offers. */
interface AuthConfig {
  sandboxLogin?: boolean;
  discord?: boolean;
}

const ERRORS: Record<string, string> = {
  not_allowed: 'Your Discord account has neither the admin nor the core role in the server. Ask a server admin for one, then sign in again.',
  denied: 'Sign-in was cancelled on Discord.',
  bad_state: 'The sign-in took too long or was started in another tab. Please try again.',
  discord_error: 'Discord could not complete the sign-in. Please try again in a moment.',
};

/**
 * Sign in with Discord, or (sandbox mode) as a made-up admin or core member. The admin API tells
 * which are on via GET /auth/config; when it cannot say, both are offered.
 */
export const Login = () => {
  const login = useLogin();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<AuthConfig | null>(null);
  // The admin API sends a failed Discord sign-in back to /#/login?error=<reason>.
  const error = new URLSearchParams(useLocation().search).get('error');

  useEffect(() => {
    let live = true;
    fetch('/auth/config', { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? (r.json() as Promise<AuthConfig>) : {}))
      .catch(() => ({}))
      .then((c) => live && setConfig(c));
    return () => {
      live = false;
    };
  }, []);

  const submit = (params: LoginParams) => {
    setBusy(true);
    login(params).catch((err: Error) => {
      setBusy(false);
      notify(err.message || 'Sign-in failed. Try again.', { type: 'error' });
    });
  };

  const showSandbox = config?.sandboxLogin !== false;
  const showDiscord = config?.discord !== false;

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: '#eef0f7', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 420 }}>
        <CardContent>
          <Typography variant="h5" component="h1" gutterBottom>
            Engagement Tracker
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
            Admin console. Sign in with the Discord account that has the admin or core role in the server.
          </Typography>
          {error ? (
            <Alert severity="error" sx={{ mb: 2 }}>
              {ERRORS[error] ?? `Sign-in failed (${error}). Try again.`}
            </Alert>
          ) : null}
          {config === null ? <LinearProgress sx={{ mb: 2 }} /> : null}
          {config !== null && !showDiscord && !showSandbox ? (
            <Alert severity="warning">No sign-in is configured. Set DISCORD_CLIENT_SECRET, DISCORD_BOT_TOKEN and DISCORD_GUILD_ID for the admin API.</Alert>
          ) : null}
          {config !== null && showDiscord ? (
            <Button fullWidth variant="contained" size="large" disabled={busy} onClick={() => submit({ method: 'discord' })} sx={{ bgcolor: '#5865F2' }}>
              Sign in with Discord
            </Button>
          ) : null}
          {config !== null && showSandbox ? (
            <>
              {showDiscord ? <Divider sx={{ my: 3 }}>sandbox mode</Divider> : null}
              <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                {config?.sandboxLogin ? 'This stack runs in sandbox mode (no real Discord or X): pick a role.' : 'Only when the stack runs in sandbox mode:'}
              </Typography>
              <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
                <Button fullWidth variant="outlined" disabled={busy} onClick={() => submit({ method: 'sandbox', role: 'admin' })}>
                  Sandbox admin
                </Button>
                <Button fullWidth variant="outlined" disabled={busy} onClick={() => submit({ method: 'sandbox', role: 'core' })}>
                  Sandbox core member
                </Button>
              </Stack>
              <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1 }} data-testid="role-summary">
                Admin: {ROLE_SUMMARY.admin}. Core: {ROLE_SUMMARY.core}.
              </Typography>
            </>
          ) : null}
        </CardContent>
      </Card>
    </Box>
  );
};
