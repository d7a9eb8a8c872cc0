import { Router } from 'express';
import { z } from 'zod';
import type { Stores } from '@engagement-tracker/core';
import { actorOf } from '../auth/principal';
import { validate } from '../http/input';
import { requirePermission } from '../middleware/authenticate';

const byId = { params: z.strictObject({ id: z.literal('moderation', { message: 'the only settings are "moderation"' }) }) };
// The shape is checked here; ranges, ids and literal blocked phrases by the domain, with clear messages.
const change = z.strictObject({
  id: z.literal('moderation').optional(),
  eligibility: z.record(z.string(), z.unknown()).optional(),
  replies: z.record(z.string(), z.unknown()).optional(),
  relinkCooldownHours: z.unknown().optional(),
});

/** Moderation settings (eligibility rules, reply rules, relink cooldown): read; edit with `rules:write`; audited. */
export function settingsRouter(stores: Stores): Router {
  const r = Router();

  r.get('/:id', requirePermission('read'), async (req, res) => {
    validate(req, byId);
    res.json({ id: 'moderation', ...(await stores.moderation.get()) });
  });

  r.put('/:id', requirePermission('rules:write'), async (req, res) => {
    const { body } = validate(req, { ...byId, body: change });
    const rest: Record<string, unknown> = { ...body };
    delete rest.id;
    res.json({ id: 'moderation', ...(await stores.moderation.update(rest, actorOf(req.principal!))) });
  });

  return r;
}
