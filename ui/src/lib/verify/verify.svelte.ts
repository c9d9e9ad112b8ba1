// State of the "Verify" screen: the file being verified, the last verification (report and
// the trusted-list cache's age), the last error, and whether files hover over the window.
import type { Backend, VerifyView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

/** The headline of a report: what a person should take away first. */
export type Verdict = "intact" | "broken" | "unsealed";

export function verdictOf(view: VerifyView): Verdict {
  if (!view.report.sealed) return "unsealed";
  return view.report.intact ? "intact" : "broken";
}

export const VERDICT_TEXT: Record<Verdict, { title: string; detail: string }> = {
  intact: {
    title: "Sealed and intact",
    detail: "The seal matches: the credential has not changed since it was sealed. The checks below say who sealed it and whether that seal can be relied on.",
  },
  broken: {
    title: "Seal broken",
    detail: "The file was sealed, but its content or seal has changed since: do not rely on it.",
  },
  unsealed: {
    title: "Not sealed",
    detail: "The file carries no electronic seal: nothing proves who issued it.",
  },
};

export class VerifyStore {
  fileName = $state<string | null>(null);
  result = $state<VerifyView | null>(null);
  error = $state<SealdeskError | null>(null);
  busy = $state(false);
  dragging = $state(false);

  readonly #backend: Backend;
  #ticket = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** A file chosen in the window: its bytes go to Rust. */
  async verifyChosen(file: File): Promise<void> {
    await this.#run(file.name, async () => this.#backend.verifyBytes(file.name, new Uint8Array(await file.arrayBuffer())));
  }

  /** A file dropped on the window: Tauri gives its path. */
  async verifyPath(path: string): Promise<void> {
    const name = path.split(/[\\/]/).pop() || path;
    await this.#run(name, () => this.#backend.verifyFile(path));
  }

  /** Follows files dragged over and dropped on the window until the returned function is called. */
  async followDrops(): Promise<() => void> {
    return this.#backend.onFileDrop((event) => {
      if (event.kind === "over") this.dragging = true;
      else if (event.kind === "leave") this.dragging = false;
      else {
        this.dragging = false;
        const first = event.paths[0];
        if (first) void this.verifyPath(first);
      }
    });
  }

  async #run(name: string, work: () => Promise<VerifyView>): Promise<void> {
    // Only the last file's answer is shown, whichever finishes first.
    const ticket = ++this.#ticket;
    this.fileName = name;
    this.busy = true;
    this.error = null;
    this.result = null;
    try {
      const view = await work();
      if (ticket === this.#ticket) this.result = view;
    } catch (reason) {
      if (ticket === this.#ticket) this.error = toSealdeskError(reason);
    } finally {
      if (ticket === this.#ticket) this.busy = false;
    }
  }
}
