// The one typed call layer between components and Rust. Components talk to a `Backend`
// (so they can be driven by a fake), and every failure arrives as a `SealdeskError` with
// the `code` from Rust: components branch on `code`, never on `message` text.
import {
  commands,
  events,
  type ChoiceView,
  type DeviceEventView,
  type DeviceStatus,
  type ErrorCode,
  type IpcError,
  type ModuleCandidateView,
  type StartingPoint,
  type TemplateEditView,
  type TemplateFormView,
  type TemplatePreviewView,
  type TemplateSummaryView,
  type TestSealView,
  type VerificationReport,
  type VocabularyLoadView,
} from "./bindings";

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
  VerificationReport,
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
};
