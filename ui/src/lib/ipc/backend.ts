// The one typed call layer between components and Rust. Components talk to a `Backend`
// (so they can be driven by a fake), and every failure arrives as a `SealdeskError` with
// the `code` from Rust: components branch on `code`, never on `message` text.
import {
  commands,
  type DeviceStatus,
  type ErrorCode,
  type IpcError,
  type VerificationReport,
} from "./bindings";

export type { DeviceStatus, ErrorCode, VerificationReport };

/** A failed command: `code` is for branching, `message` is the sentence for the person. */
export class SealdeskError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "SealdeskError";
    this.code = code;
  }
}

/** What the window can ask of the app. */
export interface Backend {
  deviceStatus(): Promise<DeviceStatus>;
  /** The PIN goes to Rust once and is never returned. */
  sealSample(pin: string, confirmFinalTry: boolean): Promise<VerificationReport>;
  uiReady(): Promise<void>;
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** Turns any rejection into a `SealdeskError`: our `{code, message}` as is; anything else
 * (a framework failure such as a denied or unknown command) as `Unknown`. */
export function toSealdeskError(reason: unknown): SealdeskError {
  if (reason instanceof SealdeskError) return reason;
  if (isIpcError(reason)) return new SealdeskError(reason.code, reason.message);
  const text = reason instanceof Error ? reason.message : String(reason);
  return new SealdeskError("Unknown", `Sealdesk could not complete the request: ${text}`);
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (reason) {
    throw toSealdeskError(reason);
  }
}

/** The real backend: Tauri IPC through the generated bindings. */
export const tauriBackend: Backend = {
  deviceStatus: () => call(() => commands.deviceStatus()),
  sealSample: (pin, confirmFinalTry) => call(() => commands.sealSample(pin, confirmFinalTry)),
  uiReady: () => call(() => commands.uiReady()),
};
