import type { Migration } from 'kysely/migration';
import * as createAgentEvents from './20261123000100-create-agent-events.js';
import * as createRunHistory from './20261123000200-create-run-history-audit-webhooks.js';
import * as dropUnqueriedEventIndexes from './20261207000100-drop-unqueried-agent-event-indexes.js';

/** Every migration, by name (applied in name order). Add new files here. */
export const MIGRATIONS: Record<string, Migration> = {
  '20261123000100-create-agent-events': createAgentEvents,
  '20261123000200-create-run-history-audit-webhooks': createRunHistory,
  '20261207000100-drop-unqueried-agent-event-indexes': dropUnqueriedEventIndexes,
};
