import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** Discord-ish blurple on a light background. */
export const lightTheme: RaThemeOptions = {
  ...defaultTheme,
  palette: { mode: 'light', primary: { main: '#4752C4' }, secondary: { main: '#1D9BF0' }, background: { default: '#f6f7fb' } },
  shape: { borderRadius: 8 },
};
