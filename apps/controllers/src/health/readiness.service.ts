import { Injectable } from '@nestjs/common';

/** Collects why the process is not ready; components report and clear their own reason. */
@Injectable()
export class ReadinessService {
  private readonly notReady = new Map<string, string>();

  set(component: string, reason: string | undefined): void {
    if (reason === undefined) this.notReady.delete(component);
    else this.notReady.set(component, reason);
  }

  reasons(): string[] {
    return [...this.notReady.entries()].map(([component, reason]) => `${component}: ${reason}`).sort();
  }
}
