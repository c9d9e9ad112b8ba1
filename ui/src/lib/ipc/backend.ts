// The one typed call layer between components and Rust. Components talk to a `Backend`
// (so they can be driven by a fake), and every failure arrives as a `SealdeskError` with
// the `code` from Rust: components branch on `code`, never on `message` text.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  events,
  type BatchAction,
  type BatchProgressView,
  type BatchReviewView,
  type BatchSummaryView,
  type BatchView,
  type ChoiceView,
  type PdfPreviewView,
  type PdfSourceView,
  type RegisterFilterView,
  type RegisterRowView,
  type DeviceEventView,
  type DeliveryRunReport,
  type DeliverySettingsView,
  type DeliveryView,
  type DeviceStatus,
  type ErrorCode,
  type TestMailView,
  type IpcError,
  type ModuleCandidateView,
  type StartingPoint,
  type TemplateEditView,
  type TemplateFormView,
  type TemplatePreviewView,
  type TemplateSummaryView,
  type TestSealView,
  type TrustCacheView,
  type TrustedListView,
  type TrustProvidersView,
  type VerificationReport,
  type VerifyView,
  type VocabularyLoadView,
} from "./bindings";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type {
  Course,
  LearningOpportunity,
  LoState,
  LoSummaryView,
  LoView,
  Mcra,
  McraDiffView,
  McraState,
  McraSummaryView,
  McraView,
  PrintLanguageView,
  SealedAgreementView,
  TemplateView as LoTemplateResult,
} from "./bindings";
export type {
  Change,
  Course,
  Finding,
  LearningOpportunity,
  LoState,
  LoSummaryView,
  LoView,
  Mcra,
  McraDiffView,
  McraState,
  McraSummaryView,
  McraView,
  PrintLanguageView,
  SealedAgreementView,
} from "./bindings";

export type {
  BatchAction,
  BatchProgressView,
  BatchReviewView,
  BatchRowView,
  BatchSummaryView,
  BatchView,
  RegisterFilterView,
  RegisterRowView,
} from "./bindings";
export type { DeliveryRunReport, DeliverySettingsView, DeliveryView, TestMailView };
export type {
  ChoiceView,
  DeviceEventView,
  DeviceStatus,
  ErrorCode,
  ModuleCandidateView,
  StartingPoint,
  TemplateEditView,
  TemplateFormView,
  TemplatePreviewView,
  TemplateSummaryView,
  TestSealView,
  TrustCacheView,
  TrustedListView,
  TrustProvidersView,
  VerificationReport,
  VerifyView,
  VocabularyLoadView,
};
export type {
  Annex1ElementView,
  ConceptRefView,
  OutcomeFormView,
  SealClass,
  TemplateView,
} from "./bindings";

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
  testSeal(pin: string, confirmFinalTry: boolean): Promise<TestSealView>;
  rememberModule(path: string): Promise<ModuleCandidateView>;
  /** Calls `handler` whenever a reader or token is plugged in or removed; resolves to "stop". */
  onDeviceChanged(handler: (event: DeviceEventView) => void): Promise<() => void>;
  /** The PIN goes to Rust once and is never returned. */
  sealSample(pin: string, confirmFinalTry: boolean, acceptNonSeal: boolean): Promise<VerificationReport>;
  listTemplates(includeArchived: boolean): Promise<TemplateSummaryView[]>;
  openTemplate(id: string): Promise<TemplateEditView>;
  createTemplate(name: string, start: StartingPoint): Promise<TemplateEditView>;
  saveTemplate(id: string, name: string, form: TemplateFormView): Promise<TemplateEditView>;
  previewTemplate(id: string, form: TemplateFormView): Promise<TemplatePreviewView>;
  copyTemplate(id: string, newName: string): Promise<TemplateEditView>;
  archiveTemplate(id: string): Promise<TemplateSummaryView>;
  importTemplate(contents: string, fileName: string): Promise<TemplateEditView>;
  prepareVocabularies(): Promise<VocabularyLoadView>;
  vocabulary(scheme: string, lang: string): Promise<ChoiceView[]>;
  searchSkills(text: string): Promise<ChoiceView[]>;
  suggestSkills(outcomeText: string): Promise<ChoiceView[]>;
  uiReady(): Promise<void>;
  /** Imports the recipients sheet at `path` for catalogue template `templateId`. */
  batchImport(templateId: string, path: string): Promise<BatchReviewView>;
  batchList(): Promise<BatchView[]>;
  batchReview(id: string, problemsOnly: boolean): Promise<BatchReviewView>;
  batchExcludeRow(id: string, row: number, excluded: boolean): Promise<BatchView>;
  batchPreviewRow(id: string, row: number): Promise<TemplatePreviewView>;
  /** The PIN goes to Rust once and is never returned; `onProgress` gets count, rate and ETA. */
  batchSeal(
    id: string,
    pin: string,
    confirmFinalTry: boolean,
    acceptNonSeal: boolean,
    onProgress: (progress: BatchProgressView) => void,
  ): Promise<BatchSummaryView>;
  batchControl(id: string, action: BatchAction): Promise<boolean>;
  registerList(filter: RegisterFilterView): Promise<RegisterRowView[]>;
  registerExportCsv(filter: RegisterFilterView, path: string): Promise<number>;
  registerSealedFile(credentialId: string): Promise<string>;
  /** Verifies a file by path (dropped on the window). */
  verifyFile(path: string): Promise<VerifyView>;
  /** Verifies a file's bytes (chosen with a file input). */
  verifyBytes(name: string, bytes: Uint8Array): Promise<VerifyView>;
  /** Calls `handler` while files are dragged over the window and when they are dropped. */
  onFileDrop(handler: (event: FileDropEvent) => void): Promise<() => void>;
  trustCache(): Promise<TrustCacheView>;
  loadTrustedLists(dir: string): Promise<TrustedListView[]>;
  trustProviders(country: string, lang: string): Promise<TrustProvidersView>;
  outboxList(): Promise<DeliveryView[]>;
  /** "Send now": one delivery run; offline is reported in the answer, not thrown. */
  outboxRun(): Promise<DeliveryRunReport>;
  outboxRetry(id: number): Promise<DeliveryView>;
  outboxCancel(id: number): Promise<DeliveryView>;
  deliverySettings(): Promise<DeliverySettingsView>;
  /** The password and token go to Rust once (null keeps the stored one) and are never returned. */
  saveDeliverySettings(
    settings: DeliverySettingsView,
    password: string | null,
    walletToken: string | null,
  ): Promise<DeliverySettingsView>;
  sendTestMail(to: string): Promise<TestMailView>;
  loList(): Promise<LoSummaryView[]>;
  loOpen(id: string, version: number | null): Promise<LoView>;
  loCreate(document: LearningOpportunity): Promise<LoView>;
  loSave(document: LearningOpportunity): Promise<LoView>;
  loReview(id: string, to: LoState, actor: string, comment: string | null): Promise<LoView>;
  loMakeTemplate(id: string, name: string): Promise<LoTemplateResult>;
  mcraList(): Promise<McraSummaryView[]>;
  mcraOpen(id: string, version: number | null): Promise<McraView>;
  mcraCreate(document: Mcra): Promise<McraView>;
  mcraSave(document: Mcra): Promise<McraView>;
  mcraMove(id: string, to: McraState): Promise<McraView>;
  mcraDiff(id: string, from: number, to: number): Promise<McraDiffView>;
  mcraCourseFromLo(loId: string): Promise<Course>;
  /** The printed agreement (PDF bytes); `lang` null = the agreement's own language. */
  mcraPdf(id: string, version: number | null, lang: string | null): Promise<Uint8Array>;
  /** The printed learning opportunity (PDF bytes). */
  loPdf(id: string, version: number | null, lang: string | null): Promise<Uint8Array>;
  /** The printed agreement as edited, not saved: a DRAFT numbered `version`. */
  mcraDraftPdf(document: Mcra, version: number, lang: string | null): Promise<Uint8Array>;
  /** Writes agreements `ids` as the `sealdesk.mcra/1` exchange file to `path` (a full path); the path written. */
  mcraExport(ids: string[], path: string): Promise<string>;
  /** Imports a partner's exchange file at `path`: all of it, or nothing (refused with Rust's reason). */
  mcraImport(path: string): Promise<McraSummaryView[]>;
  /** Writes a learning opportunity as ELM JSON-LD to `path`; the path written. */
  loExportJsonld(id: string, version: number | null, path: string): Promise<string>;
  /** The languages an agreement can be printed in, each named in itself. */
  mcraPrintLanguages(): Promise<PrintLanguageView[]>;
  /** Saves the printed agreement to `path`; the path written. */
  mcraSavePdf(id: string, version: number | null, lang: string | null, path: string): Promise<string>;
  /** Saves the printed learning opportunity to `path`; the path written. */
  loSavePdf(id: string, version: number | null, lang: string | null, path: string): Promise<string>;
  /** Resolves when the agreement may be sealed; rejects with Rust's reason (asked before the PIN). */
  mcraSealable(id: string, version: number | null): Promise<void>;
  /** Prints the signed agreement and seals the PDF on the token into `path`; the PIN goes to Rust once. */
  mcraSealPdf(
    id: string,
    version: number | null,
    lang: string | null,
    path: string,
    pin: string,
    confirmFinalTry: boolean,
    acceptNonSeal: boolean,
  ): Promise<SealedAgreementView>;
  /** A template's credential as a SPECIMEN PDF; `lang` null = its primary language. */
  templatePdfPreview(id: string, version: number | null, lang: string | null, summary: boolean): Promise<Uint8Array>;
  /** The SPECIMEN PDF of a batch row's credential. */
  batchRowPdfPreview(batch: string, row: number, lang: string | null): Promise<Uint8Array>;
  /** A registered credential's PDF (the sealed PDF file, or printed from the sealed file). */
  registerPdf(credentialId: string, lang: string | null): Promise<Uint8Array>;
  /** What that PDF is: languages offered, SPECIMEN and why, or sealed by whom. */
  pdfPreviewInfo(source: PdfSourceView, lang: string | null, summary: boolean): Promise<PdfPreviewView>;
}

/** Files dragged over the window (`over`), dragged away (`leave`) or dropped (`drop`, with paths). */
export type FileDropEvent = { kind: "over" } | { kind: "leave" } | { kind: "drop"; paths: string[] };

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
  testSeal: (pin, confirmFinalTry) => call(() => commands.testSeal(pin, confirmFinalTry)),
  rememberModule: (path) => call(() => commands.rememberModule(path)),
  onDeviceChanged: (handler) => call(() => events.deviceChanged.listen((e) => handler(e.payload.event))),
  sealSample: (pin, confirmFinalTry, acceptNonSeal) =>
    call(() => commands.sealSample(pin, confirmFinalTry, acceptNonSeal)),
  listTemplates: (includeArchived) => call(() => commands.listTemplates(includeArchived)),
  openTemplate: (id) => call(() => commands.openTemplate(id)),
  createTemplate: (name, start) => call(() => commands.createTemplate(name, start)),
  saveTemplate: (id, name, form) => call(() => commands.saveTemplate(id, name, form)),
  previewTemplate: (id, form) => call(() => commands.previewTemplate(id, form)),
  copyTemplate: (id, newName) => call(() => commands.copyTemplate(id, newName)),
  archiveTemplate: (id) => call(() => commands.archiveTemplate(id)),
  importTemplate: (contents, fileName) => call(() => commands.importTemplate(contents, fileName)),
  prepareVocabularies: () => call(() => commands.prepareVocabularies()),
  vocabulary: (scheme, lang) => call(() => commands.vocabulary(scheme, lang)),
  searchSkills: (text) => call(() => commands.searchSkills(text)),
  suggestSkills: (outcomeText) => call(() => commands.suggestSkills(outcomeText)),
  uiReady: () => call(() => commands.uiReady()),
  batchImport: (templateId, path) => call(() => commands.batchImport(templateId, path)),
  batchList: () => call(() => commands.batchList()),
  batchReview: (id, problemsOnly) => call(() => commands.batchReview(id, problemsOnly)),
  batchExcludeRow: (id, row, excluded) => call(() => commands.batchExcludeRow(id, row, excluded)),
  batchPreviewRow: (id, row) => call(() => commands.batchPreviewRow(id, row)),
  batchSeal: (id, pin, confirmFinalTry, acceptNonSeal, onProgress) =>
    call(() => {
      const channel = new Channel<BatchProgressView>();
      channel.onmessage = onProgress;
      return commands.batchSeal(id, pin, confirmFinalTry, acceptNonSeal, channel);
    }),
  batchControl: (id, action) => call(() => commands.batchControl(id, action)),
  registerList: (filter) => call(() => commands.registerList(filter)),
  registerExportCsv: (filter, path) => call(() => commands.registerExportCsv(filter, path)),
  registerSealedFile: (credentialId) => call(() => commands.registerSealedFile(credentialId)),
  verifyFile: (path) => call(() => commands.verifyFile(path)),
  verifyBytes: (name, bytes) => call(() => commands.verifyBytes(name, Array.from(bytes))),
  onFileDrop: (handler) =>
    call(() =>
      // WebKitGTK hands dropped files to Tauri, not to the page: Tauri's drag-drop event has their paths.
      getCurrentWebview().onDragDropEvent((e) => {
        const p = e.payload;
        if (p.type === "drop") handler({ kind: "drop", paths: p.paths });
        else if (p.type === "leave") handler({ kind: "leave" });
        else handler({ kind: "over" });
      }),
    ),
  trustCache: () => call(() => commands.trustCache()),
  loadTrustedLists: (dir) => call(() => commands.loadTrustedLists(dir)),
  trustProviders: (country, lang) => call(() => commands.trustProviders(country, lang)),
  outboxList: () => call(() => commands.outboxList()),
  outboxRun: () => call(() => commands.outboxRun()),
  outboxRetry: (id) => call(() => commands.outboxRetry(id)),
  outboxCancel: (id) => call(() => commands.outboxCancel(id)),
  deliverySettings: () => call(() => commands.deliverySettings()),
  saveDeliverySettings: (settings, password, walletToken) =>
    call(() => commands.saveDeliverySettings(settings, password, walletToken)),
  sendTestMail: (to) => call(() => commands.sendTestMail(to)),
  loList: () => call(() => commands.loList()),
  loOpen: (id, version) => call(() => commands.loOpen(id, version)),
  loCreate: (document) => call(() => commands.loCreate(document)),
  loSave: (document) => call(() => commands.loSave(document)),
  loReview: (id, to, actor, comment) => call(() => commands.loReview(id, to, actor, comment)),
  loMakeTemplate: (id, name) => call(() => commands.loMakeTemplate(id, name)),
  mcraList: () => call(() => commands.mcraList()),
  mcraOpen: (id, version) => call(() => commands.mcraOpen(id, version)),
  mcraCreate: (document) => call(() => commands.mcraCreate(document)),
  mcraSave: (document) => call(() => commands.mcraSave(document)),
  mcraMove: (id, to) => call(() => commands.mcraMove(id, to)),
  mcraDiff: (id, from, to) => call(() => commands.mcraDiff(id, from, to)),
  mcraCourseFromLo: (loId) => call(() => commands.mcraCourseFromLo(loId)),
  mcraPdf: (id, version, lang) => call(async () => Uint8Array.from(await commands.mcraPdf(id, version, lang))),
  loPdf: (id, version, lang) => call(async () => Uint8Array.from(await commands.loPdf(id, version, lang))),
  mcraDraftPdf: (document, version, lang) =>
    call(async () => Uint8Array.from(await commands.mcraDraftPdf(document, version, lang))),
  mcraExport: (ids, path) => call(() => commands.mcraExport(ids, path)),
  mcraImport: (path) => call(() => commands.mcraImport(path)),
  loExportJsonld: (id, version, path) => call(() => commands.loExportJsonld(id, version, path)),
  mcraPrintLanguages: () => call(() => commands.mcraPrintLanguages()),
  mcraSavePdf: (id, version, lang, path) => call(() => commands.mcraSavePdf(id, version, lang, path)),
  loSavePdf: (id, version, lang, path) => call(() => commands.loSavePdf(id, version, lang, path)),
  mcraSealable: (id, version) => call(async () => void (await commands.mcraSealable(id, version))),
  mcraSealPdf: (id, version, lang, path, pin, confirmFinalTry, acceptNonSeal) =>
    call(() => commands.mcraSealPdf(id, version, lang, path, pin, confirmFinalTry, acceptNonSeal)),
  // These three answer a raw IPC body (an ArrayBuffer), not a JSON array.
  templatePdfPreview: (id, version, lang, summary) =>
    call(async () => new Uint8Array(await commands.templatePdfPreview(id, version, lang, summary))),
  batchRowPdfPreview: (batch, row, lang) =>
    call(async () => new Uint8Array(await commands.batchRowPdfPreview(batch, row, lang))),
  registerPdf: (credentialId, lang) => call(async () => new Uint8Array(await commands.registerPdf(credentialId, lang))),
  pdfPreviewInfo: (source, lang, summary) => call(() => commands.pdfPreviewInfo(source, lang, summary)),
};
export type { PdfPreviewView, PdfSourceView };
