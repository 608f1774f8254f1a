import { RUNNER_PATHS } from '@agents/api';
import path from 'node:path';

/**
 * Maps a contract path onto the workspace: `/workspace/x` becomes `<workspaceDir>/x` (the identity in a pod), a
 * relative path is resolved against the workspace, any other absolute path is kept.
 */
export function rebaseWorkspacePath(p: string, workspaceDir: string): string {
  const root = RUNNER_PATHS.workspace;
  if (p === root) return workspaceDir;
  if (p.startsWith(`${root}/`)) return path.join(workspaceDir, p.slice(root.length + 1));
  return path.resolve(workspaceDir, p);
}

/** Like rebaseWorkspacePath for a value that may or may not be a path: only `/workspace` paths change. */
export function rebaseWorkspaceValue(value: string, workspaceDir: string): string {
  const root = RUNNER_PATHS.workspace;
  return value === root || value.startsWith(`${root}/`) ? rebaseWorkspacePath(value, workspaceDir) : value;
}

/** Where the runner writes what it hands the provider, under the workspace. */
export function agentDir(workspaceDir: string): string {
  return path.join(workspaceDir, '.agent');
}
