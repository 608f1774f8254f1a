import { existsSync } from 'node:fs';
import path from 'node:path';

export const PROTO_PACKAGE = 'proompteng.agents.v1';
export const PROTO_FILE = 'proompteng/agents/v1/agentctl.proto';

/**
 * Directory holding the .proto sources: the copy shipped in this package (dist builds), else the repository's proto/
 * (running from sources).
 */
export function protoRoot(): string {
  const shipped = path.resolve(import.meta.dirname, '../proto');
  return existsSync(path.join(shipped, PROTO_FILE)) ? shipped : path.resolve(import.meta.dirname, '../../../proto');
}

export const protoPath = (): string => path.join(protoRoot(), PROTO_FILE);
