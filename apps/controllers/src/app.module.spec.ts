import { loadControllersConfig } from './config/controllers.config.js';
import { AppModule } from './app.module.js';
import { AgentRunModule } from './reconcilers/agent-run/agent-run.module.js';
import { AgentModule } from './reconcilers/agent/agent.module.js';

describe('AppModule', () => {
  it('registers the AgentRun reconciler only when JANGAR_AGENTS_CONTROLLER_ENABLED is on', () => {
    const on = AppModule.register(loadControllersConfig({})).imports ?? [];
    const off = AppModule.register(loadControllersConfig({ JANGAR_AGENTS_CONTROLLER_ENABLED: 'false' })).imports ?? [];
    expect(on).toEqual(expect.arrayContaining([AgentModule, AgentRunModule]));
    expect(off).toContain(AgentModule);
    expect(off).not.toContain(AgentRunModule);
  });
});
