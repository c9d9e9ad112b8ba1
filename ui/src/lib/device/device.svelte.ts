// State of the "Seal device" panel: the last DeviceStatus from Rust, or why it failed.
import type { Backend, DeviceStatus } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export type TokenView = DeviceStatus["tokens"][number];
export type SealKeyView = NonNullable<TokenView["seal"]>;
export type Tone = "ok" | "warning" | "error" | "skipped";

/** Days before expiry from which the panel colours the date as a warning. Presentation
 * only: whether a certificate may seal is decided in Rust (`expired`, errors). */
export const EXPIRY_WARNING_DAYS = 105;

export class DeviceStore {
  status = $state<DeviceStatus | null>(null);
  error = $state<SealdeskError | null>(null);
  loading = $state(false);

  readonly #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** The token the seal will be made with: the first one Rust found a seal key on. */
  get activeToken(): TokenView | null {
    const tokens = this.status?.tokens ?? [];
    return tokens.find((t) => t.seal !== null) ?? tokens[0] ?? null;
  }

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.status = await this.#backend.deviceStatus();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.loading = false;
    }
  }
}

export function expiryTone(seal: SealKeyView): Tone {
  if (seal.expired) return "error";
  return seal.daysLeft < EXPIRY_WARNING_DAYS ? "warning" : "ok";
}

/** `2027-11-23T10:00:00Z` -> `2027-11-23`: unambiguous in every language. */
export function isoDate(rfc3339: string): string {
  return rfc3339.slice(0, 10);
}

export function daysLeftText(seal: SealKeyView): string {
  if (seal.expired) return "expired";
  if (seal.daysLeft === 1) return "1 day left";
  return `${seal.daysLeft} days left`;
}

export interface PinNotice {
  tone: Tone;
  key: "locked" | "final-try" | "count-low" | "pin-pad";
  text: string;
}

/** What to tell the person about the PIN before they type it. */
export function pinNotices(token: TokenView): PinNotice[] {
  const pin = token.pin;
  const notices: PinNotice[] = [];
  if (pin.locked) {
    notices.push({
      tone: "error",
      key: "locked",
      text: "The PIN is locked. Unblock it with the token's administration tool (PUK or SO PIN) before sealing.",
    });
  } else if (pin.finalTry) {
    notices.push({
      tone: "error",
      key: "final-try",
      text: "One try left: a wrong PIN now locks the token.",
    });
  } else if (pin.countLow) {
    notices.push({
      tone: "warning",
      key: "count-low",
      text: "A wrong PIN was entered before: few tries are left.",
    });
  }
  if (pin.pinPad) {
    notices.push({
      tone: "skipped",
      key: "pin-pad",
      text: "This reader has a PIN pad: type the PIN on the reader when asked.",
    });
  }
  return notices;
}

export function pinStateText(token: TokenView): { tone: Tone; text: string } {
  const pin = token.pin;
  if (pin.locked) return { tone: "error", text: "locked" };
  if (pin.finalTry) return { tone: "error", text: "final try" };
  if (pin.countLow) return { tone: "warning", text: "tries low" };
  if (pin.pinPad) return { tone: "ok", text: "PIN pad" };
  return { tone: "ok", text: pin.loginRequired ? "ready" : "no PIN needed" };
}
