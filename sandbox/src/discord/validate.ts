import { HttpError } from './http';

/** Discord's message limits, checked so bot bugs fail here as they would against Discord. */
export function validateMessageBody(body: Record<string, unknown>, partial = false): void {
  const problems: string[] = [];
  const content = body.content;
  if (content !== undefined && content !== null && String(content).length > 2000) problems.push('content: at most 2000 characters');
  const embeds = (body.embeds as Array<Record<string, unknown>> | undefined) ?? [];
  if (embeds.length > 10) problems.push('embeds: at most 10');
  for (const e of embeds) {
    if (e.title && String(e.title).length > 256) problems.push('embed title: at most 256 characters');
    if (e.description && String(e.description).length > 4096) problems.push('embed description: at most 4096 characters');
    const fields = (e.fields as Array<{ name?: string; value?: string }> | undefined) ?? [];
    if (fields.length > 25) problems.push('embed fields: at most 25');
    for (const f of fields) if (!f.name || !f.value || f.name.length > 256 || f.value.length > 1024) problems.push('embed field: name 1-256, value 1-1024');
  }
  const rows = (body.components as Array<{ type?: number; components?: Array<Record<string, unknown>> }> | undefined) ?? [];
  if (rows.length > 5) problems.push('components: at most 5 rows');
  for (const row of rows) {
    if (row.type !== 1) problems.push('components: top level must be action rows');
    const items = row.components ?? [];
    if (items.length < 1 || items.length > 5) problems.push('action row: 1-5 components');
    for (const c of items) {
      if (c.type === 2) {
        const style = Number(c.style);
        if (style === 5) {
          if (typeof c.url !== 'string' || !/^https?:\/\//.test(c.url)) problems.push('link button: url required');
        } else if (typeof c.custom_id !== 'string' || c.custom_id.length < 1 || c.custom_id.length > 100) {
          problems.push('button: custom_id of 1-100 characters required');
        }
        if (c.label !== undefined && String(c.label).length > 80) problems.push('button label: at most 80 characters');
      }
    }
  }
  if (!partial && !content && embeds.length === 0 && rows.length === 0 && !body.poll) problems.push('Cannot send an empty message');
  if (problems.length) throw new HttpError(400, problems.includes('Cannot send an empty message') ? 50006 : 50035, 'Invalid Form Body', { errors: problems });
}
