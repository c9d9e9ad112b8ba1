// State of the "Outbox" screen: mails and wallet deposits (waiting, sending, failed with the
// server's reason, sent), "send now" (one delivery run), retry one now, cancel one. States,
// back-off and exactly-once live in Rust (`flows::deliver`); this store presents them.
import type { Backend, DeliveryRunReport, DeliveryView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

/** Plain words for each state Rust reports. */
export const STATE_LABEL: Record<string, string> = {
  queued: "waiting",
  sending: "sending",
  "retry-at": "will retry",
  failed: "failed",
  sent: "sent",
  cancelled: "cancelled",
};

export const KIND_LABEL: Record<string, string> = {
  mail: "E-mail",
  wallet: "Europass wallet",
};

export class OutboxStore {
  items = $state<DeliveryView[]>([]);
  loaded = $state(false);
  error = $state<SealdeskError | null>(null);
  running = $state(false);
  lastRun = $state<DeliveryRunReport | null>(null);
  /** Job ids with a retry or cancel in flight. */
  busy = $state<number[]>([]);

  constructor(private readonly backend: Backend) {}

  /** Counts per group, for the header line. */
  get counts(): { waiting: number; failed: number; sent: number } {
    let waiting = 0;
    let failed = 0;
    let sent = 0;
    for (const d of this.items) {
      if (d.state === "sent") sent += 1;
      else if (d.state === "failed") failed += 1;
      else if (d.state !== "cancelled") waiting += 1;
    }
    return { waiting, failed, sent };
  }

  async refresh(): Promise<void> {
    try {
      this.items = await this.backend.outboxList();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.loaded = true;
    }
  }

  /** "Send now": attempts what is due; offline comes back as `lastRun.offline`, not an error. */
  async sendNow(): Promise<void> {
    this.running = true;
    try {
      this.lastRun = await this.backend.outboxRun();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.running = false;
    }
    await this.refresh();
  }

  /** "Retry now": makes it due and runs the queue at once. */
  async retry(id: number): Promise<void> {
    const ok = await this.act(id, () => this.backend.outboxRetry(id));
    if (ok) await this.sendNow();
  }

  async cancel(id: number): Promise<void> {
    await this.act(id, () => this.backend.outboxCancel(id));
  }

  private async act(id: number, work: () => Promise<DeliveryView>): Promise<boolean> {
    this.busy = [...this.busy, id];
    try {
      const view = await work();
      this.items = this.items.map((d) => (d.id === view.id ? view : d));
      this.error = null;
      return true;
    } catch (reason) {
      this.error = toSealdeskError(reason);
      return false;
    } finally {
      this.busy = this.busy.filter((b) => b !== id);
    }
  }
}
