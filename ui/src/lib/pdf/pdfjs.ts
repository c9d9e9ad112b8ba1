/// <reference types="vite/client" />
// pdf.js, set up once for the window: the worker script is a file of the bundle (Vite `?url`),
// served by Tauri's custom protocol like every other script, so the CSP's `script-src 'self'`
// covers it. Loaded lazily: screens without a preview never pay for pdf.js.
import type * as PdfJs from "pdfjs-dist";

let loading: Promise<typeof PdfJs> | null = null;

/** The pdf.js module with its worker configured. */
export function pdfjs(): Promise<typeof PdfJs> {
  if (!loading) {
    loading = Promise.all([import("pdfjs-dist"), import("pdfjs-dist/build/pdf.worker.min.mjs?url")]).then(
      ([lib, worker]) => {
        lib.GlobalWorkerOptions.workerSrc = worker.default;
        return lib;
      },
    );
    loading.catch(() => {
      loading = null; // a failed load may be retried by the next preview
    });
  }
  return loading;
}
