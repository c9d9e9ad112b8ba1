// State of the "Seal device" screen: the last DeviceStatus from Rust (refreshed on hot-plug
// events), the module choice, and the last "Test my seal" result.
import type { Backend, DeviceEventView, DeviceStatus, ModuleCandidateView, TestSealView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export type TokenView = DeviceStatus["tokens"][number];
export type SealKeyView = NonNullable<TokenView["seal"]>;
export type Tone = "ok" | "warning" | "error" | "skipped";

export class DeviceStore {
  status = $state<DeviceStatus | null>(null);
  error = $state<SealdeskError | null>(null);
  loading = $state(false);
  /** A short sentence for screen readers when the device changes (hot-plug). */
  announcement = $state("");

  testResult = $state<TestSealView | null>(null);
  testError = $state<SealdeskError | null>(null);
  testing = $state(false);

  moduleResult = $state<ModuleCandidateView | null>(null);
  moduleError = $state<SealdeskError | null>(null);
  savingModule = $state(false);

  readonly #backend: Backend;
  #queued = false;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** The token the seal will be made with: the first one Rust found a seal key on. */
  get activeToken(): TokenView | null {
    const tokens = this.status?.tokens ?? [];
    return tokens.find((t) => t.seal !== null) ?? tokens[0] ?? null;
  }

  /** Follows hot-plug events until the returned function is called. */
  async follow(): Promise<() => void> {
    return this.#backend.onDeviceChanged((event) => {
      this.announcement = describeEvent(event);
      void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    // Events come in bursts (reader + card): one refresh at a time, one more queued at most.
    if (this.loading) {
      this.#queued = true;
      return;
    }
    this.loading = true;
    try {
      this.status = await this.#backend.deviceStatus();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.loading = false;
    }
    if (this.#queued) {
      this.#queued = false;
      await this.refresh();
    }
  }

  /** "Test my seal"; true when the token signed (the result says whether it verified). */
  async testSeal(pin: string, confirmFinalTry: boolean): Promise<boolean> {
    this.testing = true;
    this.testError = null;
    this.testResult = null;
    try {
      this.testResult = await this.#backend.testSeal(pin, confirmFinalTry);
      return true;
    } catch (reason) {
      this.testError = toSealdeskError(reason);
      return false;
    } finally {
      this.testing = false;
      void this.refresh(); // the PIN tries state may have changed
    }
  }

  async chooseModule(path: string): Promise<boolean> {
    this.savingModule = true;
    try {
      this.moduleResult = await this.#backend.rememberModule(path);
      this.moduleError = null;
      await this.refresh();
      return true;
    } catch (reason) {
      this.moduleError = toSealdeskError(reason);
      return false;
    } finally {
      this.savingModule = false;
    }
  }
}

function describeEvent(event: DeviceEventView): string {
  const at = event.reader ? ` (${event.reader})` : "";
  switch (event.kind) {
    case "cardInserted":
      return `A token was inserted${at}.`;
    case "cardRemoved":
      return `The token was removed${at}.`;
    case "readerAdded":
      return `A card reader was connected${at}.`;
    case "readerRemoved":
      return `A card reader was unplugged${at}.`;
    case "serviceUnavailable":
      return "The smart-card service is not running.";
  }
}

/** The classification badge: class and words from Rust, colour here. */
export function certificateBadge(seal: SealKeyView): { key: SealKeyView["class"]; tone: Tone; text: string } {
  const tone: Record<SealKeyView["class"], Tone> = {
    qualifiedSeal: "ok",
    advancedSeal: "skipped",
    signatureCertificate: "warning",
    expired: "error",
    notYetValid: "error",
  };
  return { key: seal.class, tone: tone[seal.class], text: seal.classLabel };
}

export function expiryTone(seal: SealKeyView): Tone {
  if (seal.expired) return "error";
  return seal.expiresSoon ? "warning" : "ok";
}

/** `2027-11-23T10:00:00Z` -> `2027-11-23`: unambiguous in every language. */
export function isoDate(rfc3339: string): string {
  return rfc3339.slice(0, 10);
}

export function daysLeftText(seal: SealKeyView): string {
  if (seal.class === "notYetValid") return "not yet valid";
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
