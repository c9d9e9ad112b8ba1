// State of one credential PDF shown inline (template, batch row or register line): the
// language chosen among the credential's, the bytes and what they are (SPECIMEN or sealed by
// whom). Rust decides all of that; this only asks and keeps the answers.
import type { Backend, PdfPreviewView, PdfSourceView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export class CredentialPdfStore {
  readonly #backend: Backend;
  readonly source: PdfSourceView;
  bytes = $state<Uint8Array | null>(null);
  info = $state<PdfPreviewView | null>(null);
  loading = $state(false);
  error = $state<SealdeskError | null>(null);
  lang = $state<string | null>(null);
  #generation = 0;

  constructor(backend: Backend, source: PdfSourceView) {
    this.#backend = backend;
    this.source = source;
  }

  /** Makes the PDF in `lang` (the credential's primary language when null). */
  async load(lang: string | null = this.lang): Promise<void> {
    const mine = ++this.#generation;
    this.lang = lang;
    this.loading = true;
    this.error = null;
    try {
      const [info, bytes] = await Promise.all([
        this.#backend.pdfPreviewInfo(this.source, lang, false),
        this.#fetch(lang),
      ]);
      if (mine !== this.#generation) return;
      this.info = info;
      this.bytes = bytes;
      this.lang = info.language;
    } catch (reason) {
      if (mine !== this.#generation) return;
      this.bytes = null;
      this.error = toSealdeskError(reason);
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }

  #fetch(lang: string | null): Promise<Uint8Array> {
    const s = this.source;
    switch (s.kind) {
      case "template":
        return this.#backend.templatePdfPreview(s.id, s.version, lang, false);
      case "batchRow":
        return this.#backend.batchRowPdfPreview(s.batch, s.row, lang);
      case "register":
        return this.#backend.registerPdf(s.credentialId, lang);
    }
  }
}
