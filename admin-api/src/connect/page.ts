/** A small self-contained HTML page for the end of the linking flow (the browser tab the member opened). */
export function resultPage(title: string, message: string, ok: boolean, action?: { href: string; label: string }, refreshAfterS?: number): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // A page still waiting for X opens its action again by itself (no script: allowed by any CSP).
  const refresh = action && refreshAfterS ? `<meta http-equiv="refresh" content="${Math.max(1, Math.round(refreshAfterS))};url=${esc(action.href)}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh}<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem;color:${ok ? '#1a7f37' : '#cf222e'}}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(message)}</p>${action ? `<p><a href="${esc(action.href)}">${esc(action.label)}</a></p>` : '<p>You can close this tab and go back to Discord.</p>'}</body></html>`;
}
