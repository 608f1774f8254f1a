import { Injectable } from '@nestjs/common';

/**
 * Collects why the process is not ready (503) or degraded (still ready: 200 with the reasons); components report and
 * clear their own reason.
 */
@Injectable()
export class ReadinessService {
  private readonly notReady = new Map<string, string>();
  private readonly degradedBy = new Map<string, string>();

  set(component: string, reason: string | undefined): void {
    if (reason === undefined) this.notReady.delete(component);
    else this.notReady.set(component, reason);
  }

  /** A problem worth reporting that taking the replica out of service would not fix. */
  degrade(component: string, reason: string | undefined): void {
    if (reason === undefined) this.degradedBy.delete(component);
    else this.degradedBy.set(component, reason);
  }

  reasons(): string[] {
    return format(this.notReady);
  }

  degraded(): string[] {
    return format(this.degradedBy);
  }
}

const format = (m: Map<string, string>): string[] =>
  [...m.entries()].map(([component, reason]) => `${component}: ${reason}`).sort();
