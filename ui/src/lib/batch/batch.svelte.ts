// State of the Batch screen: the imported batch and its rows, the row previewed, and the
// sealing run with its progress. Whether the batch may be sealed is decided in Rust
// (`rowsWithProblems`, `sheetProblems`, and a refusal with code `InvalidInput` if asked anyway).
import type {
  Backend,
  BatchAction,
  BatchProgressView,
  BatchRowView,
  BatchSummaryView,
  BatchView,
  TemplatePreviewView,
  TemplateSummaryView,
} from "../ipc/backend";
import { CredentialPdfStore } from "../pdf/credentialPdf.svelte";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

/** Failures the PIN dialog answers by asking again (it shows them itself). */
const ASK_AGAIN = ["PinIncorrect", "PinFinalTry", "PinLocked", "NotASealCertificate"];

export class BatchStore {
  templates = $state<TemplateSummaryView[]>([]);
  batch = $state<BatchView | null>(null);
  rows = $state<BatchRowView[]>([]);
  problemsOnly = $state(false);
  loading = $state(false);
  error = $state<SealdeskError | null>(null);

  preview = $state<TemplatePreviewView | null>(null);
  previewRow = $state<number | null>(null);
  previewError = $state<SealdeskError | null>(null);

  sealing = $state(false);
  paused = $state(false);
  progress = $state<BatchProgressView | null>(null);
  summary = $state<BatchSummaryView | null>(null);
  /** The PIN dialog's error (wrong PIN, final try, not a seal certificate …). */
  sealError = $state<SealdeskError | null>(null);
  announcement = $state("");

  readonly #backend: Backend;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** The SPECIMEN PDF of the row being previewed. */
  rowPdf(): CredentialPdfStore | null {
    const b = this.batch;
    const row = this.previewRow;
    return b && row !== null ? new CredentialPdfStore(this.#backend, { kind: "batchRow", batch: b.id, row }) : null;
  }

  /** Rust's answer: sealing waits until no row that is not excluded has a problem. */
  get clean(): boolean {
    const b = this.batch;
    return b !== null && b.rowsWithProblems === 0 && b.sheetProblems.length === 0;
  }

  /** Rows still to seal. */
  get pending(): number {
    return this.batch?.pending ?? 0;
  }

  async loadTemplates(): Promise<void> {
    await this.#run(async () => {
      this.templates = await this.#backend.listTemplates(false);
    });
  }

  async import(templateId: string, path: string): Promise<boolean> {
    return this.#run(async () => {
      const review = await this.#backend.batchImport(templateId, path);
      this.batch = review.batch;
      this.summary = null;
      this.progress = null;
      this.preview = null;
      this.previewRow = null;
      this.problemsOnly = false;
      this.rows = review.rows;
      this.announcement = review.batch.resumed
        ? `Batch reopened: ${review.batch.total} rows.`
        : `Imported ${review.batch.total} rows, ${review.batch.rowsWithProblems} with problems.`;
    });
  }

  async reload(): Promise<void> {
    const id = this.batch?.id;
    if (!id) return;
    await this.#run(async () => {
      const review = await this.#backend.batchReview(id, this.problemsOnly);
      this.batch = review.batch;
      this.rows = review.rows;
    });
  }

  async setProblemsOnly(on: boolean): Promise<void> {
    this.problemsOnly = on;
    await this.reload();
  }

  async exclude(row: number, excluded: boolean): Promise<void> {
    const id = this.batch?.id;
    if (!id) return;
    await this.#run(async () => {
      await this.#backend.batchExcludeRow(id, row, excluded);
      const review = await this.#backend.batchReview(id, this.problemsOnly);
      this.batch = review.batch;
      this.rows = review.rows;
      this.announcement = excluded ? `Row ${row} left out.` : `Row ${row} taken back.`;
    });
  }

  async showPreview(row: number): Promise<void> {
    const id = this.batch?.id;
    if (!id) return;
    this.previewRow = row;
    this.previewError = null;
    try {
      this.preview = await this.#backend.batchPreviewRow(id, row);
    } catch (reason) {
      this.preview = null;
      this.previewError = toSealdeskError(reason);
    }
  }

  closePreview(): void {
    this.preview = null;
    this.previewRow = null;
    this.previewError = null;
  }

  /** Seals the batch with the PIN (sent once, not kept). Resolves true (the dialog may close)
   * as soon as sealing has started, so pause and cancel stay reachable; false to ask again for
   * the PIN (wrong PIN, final try, not a seal certificate). */
  seal(pin: string, confirmFinalTry: boolean, acceptNonSeal: boolean): Promise<boolean> {
    const id = this.batch?.id;
    if (!id) return Promise.resolve(false);
    this.sealing = true;
    this.paused = false;
    this.sealError = null;
    this.summary = null;
    this.progress = null;
    let started = false;
    return new Promise<boolean>((resolve) => {
      this.#backend
        .batchSeal(id, pin, confirmFinalTry, acceptNonSeal, (p) => {
          this.progress = p;
          this.paused = p.state === "paused";
          if (!started) {
            started = true;
            resolve(true);
          }
        })
        .then(async (summary) => {
          this.summary = summary;
          this.batch = summary.batch;
          this.announcement = `Sealed ${summary.sealedThisRun} credentials.`;
          resolve(true);
          await this.reload();
        })
        .catch(async (reason: unknown) => {
          const error = toSealdeskError(reason);
          this.sealError = error;
          resolve(started || !ASK_AGAIN.includes(error.code));
          await this.reload();
        })
        .finally(() => {
          this.sealing = false;
          this.paused = false;
        });
    });
  }

  async control(action: BatchAction): Promise<void> {
    const id = this.batch?.id;
    if (!id) return;
    try {
      await this.#backend.batchControl(id, action);
      if (action === "pause") this.paused = true;
      if (action === "resume") this.paused = false;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    }
  }

  async #run(work: () => Promise<void>): Promise<boolean> {
    this.loading = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (reason) {
      this.error = toSealdeskError(reason);
      return false;
    } finally {
      this.loading = false;
    }
  }
}

/** "1 min 05 s" for an ETA in seconds. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, "0")} s`;
}
