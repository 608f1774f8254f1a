import { agentDefinition } from './kinds/agent.js';
import { agentProviderDefinition } from './kinds/agent-provider.js';
import { agentRunDefinition } from './kinds/agent-run.js';
import { implementationSourceDefinition } from './kinds/implementation-source.js';
import { implementationSpecDefinition } from './kinds/implementation-spec.js';
import { memoryDefinition } from './kinds/memory.js';
import { orchestrationDefinition, orchestrationRunDefinition } from './kinds/orchestration.js';
import {
  approvalPolicyDefinition,
  artifactDefinition,
  budgetDefinition,
  scheduleDefinition,
  secretBindingDefinition,
  signalDefinition,
  signalDeliveryDefinition,
  toolDefinition,
  toolRunDefinition,
  workspaceDefinition,
} from './kinds/supporting.js';
import { versionControlProviderDefinition } from './kinds/version-control-provider.js';
import type { KindDefinition } from './schema/object.js';

/** Every kind's definition, in the order of ALL_KINDS. */
export const DEFINITIONS: readonly KindDefinition[] = [
  agentDefinition,
  agentRunDefinition,
  agentProviderDefinition,
  implementationSpecDefinition,
  implementationSourceDefinition,
  versionControlProviderDefinition,
  memoryDefinition,
  orchestrationDefinition,
  orchestrationRunDefinition,
  approvalPolicyDefinition,
  budgetDefinition,
  secretBindingDefinition,
  signalDefinition,
  signalDeliveryDefinition,
  toolDefinition,
  toolRunDefinition,
  scheduleDefinition,
  artifactDefinition,
  workspaceDefinition,
];
