// State of the Register screen: the filter, the lines Rust answers for it, the CSV export and
// the path of one credential's sealed file. Searching and filtering happen in Rust.
import type { Backend, BatchView, RegisterFilterView, RegisterRowView } from "../ipc/backend";
import { CredentialPdfStore } from "../pdf/credentialPdf.svelte";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export const SEAL_LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"] as const;
/** Outbox states a register line can be filtered by (Rust matches them against each delivery). */
export const DELIVERY_STATES = ["not queued", "queued", "sending", "retry-at", "sent", "failed", "cancelled"] as const;

const SEARCH_DELAY_MS = 200;

export class RegisterStore {
  filter = $state<RegisterFilterView>({
    search: null,
    batchId: null,
    templateId: null,
    sealLevel: null,
    deliveryState: null,
    sealedFrom: null,
    sealedTo: null,
  });
  rows = $state<RegisterRowView[]>([]);
  batches = $state<BatchView[]>([]);
  loading = $state(false);
  error = $state<SealdeskError | null>(null);
  announcement = $state("");
  /** The sealed file last asked for: credential id and path. */
  file = $state<{ credentialId: string; path: string } | null>(null);
  exported = $state<{ path: string; count: number } | null>(null);

  readonly #backend: Backend;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;

  /** The register line whose PDF is shown. */
  pdf = $state<CredentialPdfStore | null>(null);

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Shows the PDF of `credentialId` (the same line again hides it). */
  togglePdf(credentialId: string): void {
    const shown = this.pdf?.source;
    if (shown?.kind === "register" && shown.credentialId === credentialId) {
      this.pdf = null;
      return;
    }
    this.pdf = new CredentialPdfStore(this.#backend, { kind: "register", credentialId });
  }

  async refresh(): Promise<void> {
    const asked = ++this.#asked;
    this.loading = true;
    try {
      const [rows, batches] = await Promise.all([
        this.#backend.registerList(this.#cleanFilter()),
        this.#backend.batchList(),
      ]);
      if (asked !== this.#asked) return; // a newer search answered first
      this.rows = rows;
      this.batches = batches;
      this.error = null;
      this.announcement = `${rows.length} credentials.`;
    } catch (reason) {
      if (asked === this.#asked) this.error = toSealdeskError(reason);
    } finally {
      if (asked === this.#asked) this.loading = false;
    }
  }

  /** Sets one filter field and asks again (typing in the search box waits a moment). */
  set<K extends keyof RegisterFilterView>(key: K, value: RegisterFilterView[K], debounce = false): void {
    this.filter[key] = value;
    clearTimeout(this.#timer);
    if (debounce) this.#timer = setTimeout(() => void this.refresh(), SEARCH_DELAY_MS);
    else void this.refresh();
  }

  async exportCsv(path: string): Promise<void> {
    try {
      const count = await this.#backend.registerExportCsv(this.#cleanFilter(), path);
      this.exported = { path, count };
      this.error = null;
      this.announcement = `Exported ${count} lines.`;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    }
  }

  async openFile(credentialId: string): Promise<void> {
    try {
      const path = await this.#backend.registerSealedFile(credentialId);
      this.file = { credentialId, path };
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    }
  }

  #cleanFilter(): RegisterFilterView {
    const f = this.filter;
    const v = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null);
    return {
      search: v(f.search),
      batchId: v(f.batchId),
      templateId: v(f.templateId),
      sealLevel: v(f.sealLevel),
      deliveryState: v(f.deliveryState),
      sealedFrom: v(f.sealedFrom),
      sealedTo: v(f.sealedTo),
    };
  }
}
