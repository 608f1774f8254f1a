import { BadRequestException, Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../config/control-plane.config.js';
import { ControlPlaneMetrics } from '../health/metrics.js';
import { EventCursor, EventHub } from './event-hub.js';
import { EventsRepository, type EventFilter, type StoredEvent } from './events.repository.js';
import { SseConnection, sseMessage } from './sse.js';

/** Serialised and encoded once per event, shared by every connection that receives it. */
const formatted = new WeakMap<StoredEvent, Buffer>();
function format(e: StoredEvent): Buffer {
  let b = formatted.get(e);
  if (!b) {
    b = Buffer.from(sseMessage(e.id, 'agent-event', JSON.stringify(e)));
    formatted.set(e, b);
  }
  return b;
}

interface EventsQuery {
  agentRunUid?: string;
  uid?: string;
  agentRunName?: string;
  agentRunNamespace?: string;
  name?: string;
  namespace?: string;
  lastEventId?: string;
  from?: string;
}

/**
 * GET /v1/agent-events: agent events as Server-Sent Events, for one run (agentRunUid, or agentRunNamespace +
 * agentRunName) or a namespace. Stored events first (after Last-Event-ID, so a reconnect resumes without a gap),
 * then new ones as they are stored, pushed by the event hub.
 */
@Controller('v1/agent-events')
export class EventsSseController {
  constructor(
    private readonly events: EventsRepository,
    private readonly hub: EventHub,
    private readonly metrics: ControlPlaneMetrics,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  @Get()
  async stream(
    @Query() q: EventsQuery,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const filter = this.filterOf(q);
    const runScoped = !('namespace' in filter && !('name' in filter));
    const resume = lastEventHeader ?? q.lastEventId;
    if (resume !== undefined && !/^\d+$/.test(resume))
      throw new BadRequestException('Last-Event-ID must be the numeric id of an event');
    // A run stream replays the run's events from the start; a namespace stream starts now unless asked otherwise.
    const from =
      resume !== undefined ? Number(resume) : runScoped || q.from === 'start' ? 0 : await this.events.maxId();

    const conn = new SseConnection(res, this.config.sse);
    this.metrics.sseConnections.inc();
    this.metrics.sseOpen.inc();
    let delivered = 0;
    const cursor = new EventCursor(
      this.hub,
      filter,
      from,
      {
        ready: () => conn.ready(),
        whenReady: (resume) => conn.whenReady(resume),
        write: (e) => {
          conn.send(format(e));
          delivered += 1;
        },
        flush: () => {
          conn.flush();
          this.metrics.sseDelivered.inc(delivered);
          delivered = 0;
        },
      },
      (err) => {
        this.metrics.sseErrors.inc();
        conn.write(
          sseMessage(undefined, 'error', JSON.stringify({ message: err instanceof Error ? err.message : String(err) })),
        );
        conn.end();
      },
    );
    conn.onClosed(() => {
      cursor.close();
      this.metrics.sseOpen.dec();
      if (conn.wasCut) this.metrics.sseCut.inc();
    });
  }

  private filterOf(q: EventsQuery): EventFilter {
    const uid = q.agentRunUid ?? q.uid;
    if (uid) return { uid };
    const namespace = q.agentRunNamespace ?? q.namespace;
    const name = q.agentRunName ?? q.name;
    if (namespace && name) return { namespace, name };
    if (namespace && !name) return { namespace };
    throw new BadRequestException(
      'give agentRunUid, or agentRunNamespace and agentRunName, or namespace (all runs of a namespace)',
    );
  }
}
