/** The API groups of the product, one per area, all served at {@link VERSION}. */
export const GROUPS = {
  agents: 'agents.proompteng.ai',
  orchestration: 'orchestration.proompteng.ai',
  approvals: 'approvals.proompteng.ai',
  budgets: 'budgets.proompteng.ai',
  security: 'security.proompteng.ai',
  signals: 'signals.proompteng.ai',
  tools: 'tools.proompteng.ai',
  schedules: 'schedules.proompteng.ai',
  artifacts: 'artifacts.proompteng.ai',
  workspaces: 'workspaces.proompteng.ai',
} as const;

export type Group = (typeof GROUPS)[keyof typeof GROUPS];

export const VERSION = 'v1alpha1';
