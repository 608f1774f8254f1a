import { RetentionPolicy, StorageType, type JetStreamManager } from 'nats';
import { AGENT_COMMS_STREAM } from './messages.js';

/** Creates the agent-comms stream if it does not exist (or adds missing subjects to an existing one). */
export async function ensureAgentCommsStream(
  jsm: JetStreamManager,
  stream: { name: string; subjects: readonly string[] } = AGENT_COMMS_STREAM,
): Promise<void> {
  try {
    const info = await jsm.streams.info(stream.name);
    const missing = stream.subjects.filter((s) => !info.config.subjects?.includes(s));
    if (missing.length)
      await jsm.streams.update(stream.name, {
        ...info.config,
        subjects: [...(info.config.subjects ?? []), ...missing],
      });
  } catch (err) {
    if (!String((err as Error).message).includes('stream not found')) throw err;
    try {
      await jsm.streams.add({
        name: stream.name,
        subjects: [...stream.subjects],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        duplicate_window: AGENT_COMMS_STREAM.duplicateWindowNs,
        max_age: AGENT_COMMS_STREAM.maxAgeNs,
      });
    } catch (addErr) {
      // Another process created it between our info and add.
      if (!String((addErr as Error).message).includes('already in use')) throw addErr;
    }
  }
}
