// State of sealing: the last verification report, and the PIN dialog's error.
import type { Backend, VerificationReport } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export type CheckView = VerificationReport["checks"][number];
export type SignatureView = VerificationReport["signatures"][number];

export class SealStore {
  report = $state<VerificationReport | null>(null);
  error = $state<SealdeskError | null>(null);
  busy = $state(false);

  readonly #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Seals the sample; true when it worked. The PIN is not kept here. */
  async sealSample(pin: string, confirmFinalTry: boolean, acceptNonSeal: boolean): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      this.report = await this.#backend.sealSample(pin, confirmFinalTry, acceptNonSeal);
      return true;
    } catch (reason) {
      this.error = toSealdeskError(reason);
      return false;
    } finally {
      this.busy = false;
    }
  }

  clearError(): void {
    this.error = null;
  }
}

export const STATUS_LABEL: Record<CheckView["status"], string> = {
  ok: "ok",
  warning: "warning",
  error: "error",
  skipped: "skipped",
};
