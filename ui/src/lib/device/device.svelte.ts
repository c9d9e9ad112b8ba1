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
  /** A short sentence for screen readers when the device changes (hot-plug). */
  announcement = $state("");

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
      const next = await this.#backend.deviceStatus();
      this.announcement = describeChange(this.status, next);
      this.status = next;
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

/** What changed between two looks at the device, for the live region ("" = nothing). */
function describeChange(before: DeviceStatus | null, after: DeviceStatus): string {
  if (!before) return "";
  const labels = (s: DeviceStatus) => s.tokens.map((t) => t.label).join(", ");
  if (labels(before) === labels(after)) return "";
  if (after.tokens.length === 0) return "The token was removed.";
  return `Token ${labels(after)} is connected.`;
}

/** The words and colour of the certificate's classification badge. */
export function certificateBadge(seal: SealKeyView): { key: string; tone: Tone; text: string } {
  if (seal.expired) return { key: "expired", tone: "error", text: "expired" };
  if (seal.qualified) return { key: "qualified-seal", tone: "ok", text: "qualified seal" };
  return { key: "advanced-seal", tone: "skipped", text: "advanced seal" };
}
