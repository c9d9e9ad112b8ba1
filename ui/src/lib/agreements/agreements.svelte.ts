// State of the "Programmes" screens: the learning-opportunity catalogue and its editor, the
// review queue, and the agreements (MCRA) with their editor, versions, diff and PDF preview.
// No rule lives here: what a state needs, which move is legal and every refusal come from
// Rust (findings by JSON pointer, errors by code); the screens show them next to the fields.
import type {
  Backend,
  ChoiceView,
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
} from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export type Side = "coursesA" | "coursesB";

const PDF_DELAY_MS = 700;

/** Failures the PIN dialog answers by asking again (it shows them itself); as the batch's. */
const ASK_AGAIN = ["PinIncorrect", "PinFinalTry", "PinLocked", "NotASealCertificate"];

/** A file the app wrote for the person: what it is and where. */
export type WrittenFile = { what: string; path: string };

/** A document with every optional field present (Rust writes them all; the editor binds to them). */
export type Filled<T> = T extends (infer U)[]
  ? Filled<U>[]
  : T extends object
    ? { [K in keyof T]-?: Filled<Exclude<T[K], undefined>> }
    : T;
export type LoDoc = Filled<LearningOpportunity>;
export type McraDoc = Filled<Mcra>;
export type CourseDoc = Filled<Course>;
export type PersonDoc = McraDoc["partyA"]["signatories"][number];

export const LO_STATE_LABELS: Record<LoState, string> = {
  draft: "Draft",
  submitted: "Submitted",
  approved: "Approved",
  changes_requested: "Changes requested",
};

export const MCRA_STATE_LABELS: Record<McraState, string> = {
  draft: "Draft",
  sent_for_review: "Sent for review",
  agreed: "Agreed",
  signed: "Signed",
  shared: "Shared",
};

/** An RFC 3339 time as `YYYY-MM-DD HH:MM` (UTC), for lists. */
export function when(iso: string): string {
  return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso;
}

/** The findings whose JSON pointer is `pointer` or lies under it. */
export function findingsAt(findings: readonly Finding[], pointer: string): Finding[] {
  return findings.filter((f) => f.path === pointer || f.path.startsWith(`${pointer}/`));
}

/** An empty learning opportunity with a title, in English: the editor fills the rest. */
export function blankLearningOpportunity(title: string): LoDoc {
  return {
    id: "",
    languages: ["en"],
    title: { en: title },
    code: null,
    provider: { legalName: {}, country: "", identifier: null, department: null },
    homepage: "",
    instructionLanguages: [],
    startDate: null,
    endDate: null,
    applicationDeadline: null,
    description: {},
    targetGroup: {},
    prerequisites: {},
    stackability: null,
    outcomes: [],
    ects: null,
    eqfLevel: null,
    iscedF: [],
    mode: null,
    assessment: { title: {}, description: {}, kind: null, supervision: null },
    workloadHours: null,
    fees: [],
    admission: {},
    contact: { name: "", email: "", phone: null },
    related: [],
  };
}

/** An empty draft agreement with a title. */
export function blankMcra(title: string): McraDoc {
  const party = (): McraDoc["partyA"] => ({
    legalName: "",
    erasmusCode: null,
    legalIdentifier: null,
    country: "",
    faculty: null,
    signatories: [],
    contacts: [],
  });
  return {
    id: "",
    title,
    language: "en",
    partyA: party(),
    partyB: party(),
    direction: "a_to_b",
    recognitionType: { level: "faculty", learning: "formal" },
    coursesA: [],
    coursesB: [],
    objective: "",
    processSteps: [],
    constraints: [],
    validity: { start: null, end: null, renewal: null },
  };
}

/** A course entered by hand. */
export function blankCourse(): CourseDoc {
  return {
    learningOpportunityId: null,
    code: null,
    title: "",
    ects: 0,
    outcomes: [],
    assessment: "",
    language: "",
    recognition: { credits: 0, courseReplaced: null, conditions: null },
  };
}

/** A copy of a stored learning opportunity with every optional field present. */
function fillLo(doc: LearningOpportunity): LoDoc {
  const b = blankLearningOpportunity("");
  const d = JSON.parse(JSON.stringify(doc)) as LearningOpportunity;
  return {
    ...b,
    ...d,
    provider: { ...b.provider, ...d.provider },
    assessment: { ...b.assessment, ...d.assessment },
    contact: { ...b.contact, ...d.contact },
    outcomes: d.outcomes.map((o) => ({ ...o, escoSkills: o.escoSkills ?? [] })),
  } as LoDoc;
}

function fillCourse(c: Course): CourseDoc {
  const b = blankCourse();
  return { ...b, ...c, recognition: { ...b.recognition, ...c.recognition } } as CourseDoc;
}

/** A copy of a stored agreement with every optional field present. */
function fillMcra(doc: Mcra): McraDoc {
  const b = blankMcra("");
  const d = JSON.parse(JSON.stringify(doc)) as Mcra;
  const party = (p: Mcra["partyA"]) => ({ ...b.partyA, ...p }) as McraDoc["partyA"];
  return {
    ...b,
    ...d,
    partyA: party(d.partyA),
    partyB: party(d.partyB),
    coursesA: (d.coursesA ?? []).map(fillCourse),
    coursesB: (d.coursesB ?? []).map(fillCourse),
    validity: { ...b.validity, ...d.validity },
  } as McraDoc;
}

export class AgreementsStore {
  error = $state<SealdeskError | null>(null);
  announcement = $state("");

  // --- learning opportunities
  los = $state<LoSummaryView[]>([]);
  lo = $state<LoView | null>(null);
  loDraft = $state<LoDoc | null>(null);
  loDirty = $state(false);
  loError = $state<SealdeskError | null>(null);
  loBusy = $state(false);

  /** The printed learning opportunity (asked for when its preview is opened). */
  loPdfBytes = $state<Uint8Array | null>(null);
  /** The languages an agreement prints in (Rust's list), and the one chosen for saved and
   * sealed PDFs ("" = the agreement's own). */
  printLanguages = $state<PrintLanguageView[]>([]);
  mcraPrintLang = $state("");
  /** The language chosen for the saved module description ("" = its default). */
  loPrintLang = $state("");
  loPdfLoading = $state(false);
  loPdfError = $state<string | null>(null);

  // --- agreements
  mcras = $state<McraSummaryView[]>([]);
  mcra = $state<McraView | null>(null);
  mcraDraft = $state<McraDoc | null>(null);
  mcraDirty = $state(false);
  mcraError = $state<SealdeskError | null>(null);
  mcraBusy = $state(false);
  diff = $state<McraDiffView | null>(null);

  // --- PDF preview of the open agreement
  pdfBytes = $state<Uint8Array | null>(null);
  pdfLoading = $state(false);
  pdfError = $state<string | null>(null);

  // --- files of the open agreement: exchange file, PDF, sealed PDF
  fileBusy = $state(false);
  fileError = $state<SealdeskError | null>(null);
  written = $state<WrittenFile | null>(null);
  /** The sealed PDF last made, with our check of it. */
  sealed = $state<SealedAgreementView | null>(null);
  sealing = $state(false);
  /** The PIN dialog's error (wrong PIN, final try, not a seal certificate …). */
  sealError = $state<SealdeskError | null>(null);

  // --- a partner's exchange file imported on the list screen
  importBusy = $state(false);
  importError = $state<SealdeskError | null>(null);
  imported = $state<McraSummaryView[] | null>(null);
  /** A file is being dragged over the window (the import form lights up). */
  dragging = $state(false);

  // --- files of the open learning opportunity: JSON-LD, PDF
  loFileError = $state<SealdeskError | null>(null);
  loWritten = $state<WrittenFile | null>(null);

  /** Picker choices per vocabulary key, filled once by `loadChoices`. */
  choices = $state<Record<string, ChoiceView[]>>({});

  constructor(private readonly backend: Backend) {}

  /** The Europass vocabularies the learning-opportunity editor picks from (ISCED-F, mode, assessment). */
  async loadChoices(lang: string): Promise<void> {
    if (Object.keys(this.choices).length > 0) return;
    try {
      await this.backend.prepareVocabularies();
      const loaded: Record<string, ChoiceView[]> = {};
      for (const scheme of ["eqf", "isced-f", "learning-assessment", "assessment"]) {
        loaded[scheme] = await this.backend.vocabulary(scheme, lang);
      }
      this.choices = loaded;
    } catch (reason) {
      this.loError = toSealdeskError(reason);
    }
  }

  searchSkills(text: string): Promise<ChoiceView[]> {
    return this.backend.searchSkills(text);
  }

  suggestSkills(text: string): Promise<ChoiceView[]> {
    return this.backend.suggestSkills(text);
  }

  /** Approved learning opportunities: what courses may be taken from. */
  get approvedLos(): LoSummaryView[] {
    return this.los.filter((l) => l.state === "approved");
  }

  async refreshLos(): Promise<void> {
    try {
      this.los = await this.backend.loList();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    }
  }

  private showLo(view: LoView): void {
    this.lo = view;
    this.loDraft = fillLo(view.document);
    this.loDirty = false;
    this.loPdfBytes = null;
    this.loPdfError = null;
    if (this.loPdfWanted) void this.loadLoPdf();
  }

  /** Whether the printed preview is open (printed again after each save and review step). */
  private loPdfWanted = false;

  /** Prints the shown version of the open learning opportunity. */
  async loadLoPdf(): Promise<void> {
    const current = this.lo;
    if (!current) return;
    this.loPdfWanted = true;
    this.loPdfLoading = true;
    this.loPdfError = null;
    try {
      const bytes = await this.backend.loPdf(current.summary.id, current.summary.version, null);
      if (this.lo === current) this.loPdfBytes = bytes;
    } catch (reason) {
      if (this.lo === current) this.loPdfError = toSealdeskError(reason).message;
    } finally {
      this.loPdfLoading = false;
    }
  }

  async openLo(id: string): Promise<void> {
    this.loError = null;
    this.loFileError = null;
    this.loWritten = null;
    try {
      this.showLo(await this.backend.loOpen(id, null));
    } catch (reason) {
      this.loError = toSealdeskError(reason);
    }
  }

  closeLo(): void {
    this.loPdfWanted = false;
    this.loFileError = null;
    this.loWritten = null;
    this.lo = null;
    this.loDraft = null;
    this.loError = null;
  }

  async createLo(title: string): Promise<boolean> {
    return this.loAction(async () => {
      this.showLo(await this.backend.loCreate(blankLearningOpportunity(title.trim())));
      this.announcement = "Learning opportunity created as a draft.";
    });
  }

  async saveLo(): Promise<boolean> {
    const draft = this.loDraft;
    if (!draft) return false;
    return this.loAction(async () => {
      this.showLo(await this.backend.loSave($state.snapshot(draft) as LearningOpportunity));
      this.announcement = `Saved version ${this.lo?.summary.version ?? ""}.`;
    });
  }

  /** Saves pending edits first, then moves the learning opportunity to `to`. */
  async reviewLo(to: LoState, actor: string, comment: string | null): Promise<boolean> {
    const current = this.lo;
    if (!current) return false;
    if (this.loDirty && !(await this.saveLo())) return false;
    return this.loAction(async () => {
      this.showLo(await this.backend.loReview(current.summary.id, to, actor, comment));
      this.announcement = `Now ${LO_STATE_LABELS[to].toLowerCase()}.`;
    });
  }

  /** Makes credential template `name` from the open (approved) learning opportunity. */
  async makeTemplate(name: string): Promise<boolean> {
    const current = this.lo;
    if (!current) return false;
    return this.loAction(async () => {
      const made = await this.backend.loMakeTemplate(current.summary.id, name.trim());
      this.showLo(await this.backend.loOpen(current.summary.id, null));
      this.announcement = `Template "${made.summary.name}" made, version ${made.summary.version}.`;
    });
  }

  /** Writes the shown version of the open learning opportunity as ELM JSON-LD to `path`. */
  async exportLoJsonld(path: string): Promise<boolean> {
    const current = this.lo;
    if (!current) return false;
    return this.loFile("ELM JSON-LD", () => this.backend.loExportJsonld(current.summary.id, current.summary.version, path));
  }

  /** Saves the printed shown version of the open learning opportunity to `path`. */
  async saveLoPdf(path: string): Promise<boolean> {
    const current = this.lo;
    if (!current) return false;
    return this.loFile("PDF", () => this.backend.loSavePdf(current.summary.id, current.summary.version, this.loPrintLang || null, path));
  }

  private async loFile(what: string, write: () => Promise<string>): Promise<boolean> {
    this.loBusy = true;
    this.loFileError = null;
    this.loWritten = null;
    try {
      this.loWritten = { what, path: await write() };
      this.announcement = `Wrote the ${what} to ${this.loWritten.path}.`;
      return true;
    } catch (reason) {
      this.loFileError = toSealdeskError(reason);
      return false;
    } finally {
      this.loBusy = false;
    }
  }

  private async loAction(work: () => Promise<void>): Promise<boolean> {
    this.loBusy = true;
    this.loError = null;
    try {
      await work();
      await this.refreshLos();
      return true;
    } catch (reason) {
      this.loError = toSealdeskError(reason);
      return false;
    } finally {
      this.loBusy = false;
    }
  }

  // ---------------------------------------------------------------- agreements

  async refreshMcras(): Promise<void> {
    try {
      this.mcras = await this.backend.mcraList();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    }
  }

  private showMcra(view: McraView): void {
    this.mcra = view;
    this.mcraDraft = fillMcra(view.document);
    this.mcraDirty = false;
    this.diff = null;
    void this.refreshPdf();
  }

  private pdfAsked = 0;
  private pdfTimer: ReturnType<typeof setTimeout> | undefined;

  /** The editor changed the draft: mark it unsaved and print it again after a pause in typing. */
  edited(): void {
    this.mcraDirty = true;
    clearTimeout(this.pdfTimer);
    this.pdfTimer = setTimeout(() => void this.refreshPdf(), PDF_DELAY_MS);
  }

  /** Prints the open agreement: the draft as edited when it has unsaved changes, else the
   * shown version as stored (after each open, save and move). */
  async refreshPdf(): Promise<void> {
    const current = this.mcra;
    if (!current) return;
    clearTimeout(this.pdfTimer);
    const draft = this.mcraDirty && this.mcraDraft ? ($state.snapshot(this.mcraDraft) as Mcra) : null;
    const mine = ++this.pdfAsked;
    this.pdfLoading = this.pdfBytes === null;
    this.pdfError = null;
    try {
      const bytes = draft
        ? await this.backend.mcraDraftPdf(draft, current.summary.version + 1, null)
        : await this.backend.mcraPdf(current.summary.id, current.summary.version, null);
      if (mine !== this.pdfAsked) return;
      this.pdfBytes = bytes;
    } catch (reason) {
      if (mine !== this.pdfAsked) return;
      this.pdfBytes = null;
      this.pdfError = toSealdeskError(reason).message;
    } finally {
      if (mine === this.pdfAsked) this.pdfLoading = false;
    }
  }

  async openMcra(id: string, version: number | null = null): Promise<void> {
    this.mcraError = null;
    this.clearFiles();
    try {
      this.showMcra(await this.backend.mcraOpen(id, version));
    } catch (reason) {
      this.mcraError = toSealdeskError(reason);
    }
  }

  closeMcra(): void {
    clearTimeout(this.pdfTimer);
    this.pdfAsked++;
    this.mcra = null;
    this.mcraDraft = null;
    this.mcraError = null;
    this.diff = null;
    this.pdfBytes = null;
    this.pdfError = null;
    this.clearFiles();
  }

  private clearFiles(): void {
    this.fileError = null;
    this.written = null;
    this.sealed = null;
    this.sealError = null;
  }

  async createMcra(title: string): Promise<boolean> {
    return this.mcraAction(async () => {
      this.showMcra(await this.backend.mcraCreate(blankMcra(title.trim())));
      this.announcement = "Agreement created as a draft.";
    });
  }

  async saveMcra(): Promise<boolean> {
    const draft = this.mcraDraft;
    if (!draft) return false;
    return this.mcraAction(async () => {
      this.showMcra(await this.backend.mcraSave($state.snapshot(draft) as Mcra));
      this.announcement = `Saved version ${this.mcra?.summary.version ?? ""}.`;
    });
  }

  /** Saves pending edits first, then asks Rust to move the agreement; a refusal is shown as is. */
  async moveMcra(to: McraState): Promise<boolean> {
    const current = this.mcra;
    if (!current) return false;
    if (this.mcraDirty && !(await this.saveMcra())) return false;
    return this.mcraAction(async () => {
      this.showMcra(await this.backend.mcraMove(current.summary.id, to));
      this.announcement = `Now ${MCRA_STATE_LABELS[to].toLowerCase()}.`;
    });
  }

  async addCourseFromLo(side: Side, loId: string): Promise<boolean> {
    const draft = this.mcraDraft;
    if (!draft) return false;
    try {
      const course = await this.backend.mcraCourseFromLo(loId);
      draft[side].push(fillCourse(course));
      this.edited();
      this.mcraError = null;
      return true;
    } catch (reason) {
      this.mcraError = toSealdeskError(reason);
      return false;
    }
  }

  addCourseByHand(side: Side): void {
    if (!this.mcraDraft) return;
    this.mcraDraft[side].push(blankCourse());
    this.edited();
  }

  removeCourse(side: Side, index: number): void {
    if (!this.mcraDraft) return;
    this.mcraDraft[side].splice(index, 1);
    this.edited();
  }

  async showDiff(from: number, to: number): Promise<void> {
    const current = this.mcra;
    if (!current) return;
    try {
      this.diff = await this.backend.mcraDiff(current.summary.id, from, to);
      this.mcraError = null;
    } catch (reason) {
      this.mcraError = toSealdeskError(reason);
    }
  }

  // ------------------------------------------------------------ exchange and files

  /** Writes the open agreement (its latest version) as the exchange file for the partner. */
  async exportMcra(path: string): Promise<boolean> {
    const current = this.mcra;
    if (!current) return false;
    return this.mcraFile("exchange file", () => this.backend.mcraExport([current.summary.id], path));
  }

  /** Loads the languages an agreement can be printed in (once). */
  async loadPrintLanguages(): Promise<void> {
    if (this.printLanguages.length) return;
    try {
      this.printLanguages = await this.backend.mcraPrintLanguages();
    } catch (reason) {
      this.fileError = toSealdeskError(reason);
    }
  }

  /** Saves the printed shown version of the open agreement to `path`. */
  async saveMcraPdf(path: string): Promise<boolean> {
    const current = this.mcra;
    if (!current) return false;
    return this.mcraFile("PDF", () => this.backend.mcraSavePdf(current.summary.id, current.summary.version, this.mcraPrintLang || null, path));
  }

  /** Asks Rust whether the shown version may be sealed; true opens the PIN dialog, false
   * shows Rust's reason (a draft is refused before anyone types a PIN). */
  async mayBeSealed(): Promise<boolean> {
    const current = this.mcra;
    if (!current) return false;
    this.fileError = null;
    this.sealError = null;
    try {
      await this.backend.mcraSealable(current.summary.id, current.summary.version);
      return true;
    } catch (reason) {
      this.fileError = toSealdeskError(reason);
      return false;
    }
  }

  /** Seals the printed shown version into `path` with the PIN (sent once, not kept). True when
   * the dialog may close (sealed, or failed for a reason shown on the screen); false to ask
   * again for the PIN (wrong PIN, final try, not a seal certificate). */
  async sealMcraPdf(path: string, pin: string, confirmFinalTry: boolean, acceptNonSeal: boolean): Promise<boolean> {
    const current = this.mcra;
    if (!current) return true;
    this.sealing = true;
    this.sealError = null;
    this.fileError = null;
    this.written = null;
    this.sealed = null;
    try {
      const sealed = await this.backend.mcraSealPdf(current.summary.id, current.summary.version, this.mcraPrintLang || null, path, pin, confirmFinalTry, acceptNonSeal);
      this.sealed = sealed;
      this.written = { what: "sealed PDF", path: sealed.output };
      this.announcement = `Sealed the agreement into ${sealed.output}.`;
      return true;
    } catch (reason) {
      const error = toSealdeskError(reason);
      this.sealError = error;
      if (ASK_AGAIN.includes(error.code)) return false;
      this.fileError = error;
      return true;
    } finally {
      this.sealing = false;
    }
  }

  /** Follows files dragged over and dropped on the window (Tauri gives their paths, as on the
   * Verify screen) until the returned function is called; `dropped` gets the first path. */
  followDrops(dropped: (path: string) => void): Promise<() => void> {
    return this.backend.onFileDrop((event) => {
      if (event.kind === "over") this.dragging = true;
      else if (event.kind === "leave") this.dragging = false;
      else {
        this.dragging = false;
        const first = event.paths[0];
        if (first) dropped(first);
      }
    });
  }

  /** Imports a partner's exchange file: every agreement in it, or none (Rust's reason shown). */
  async importMcras(path: string): Promise<boolean> {
    this.importBusy = true;
    this.importError = null;
    this.imported = null;
    try {
      this.imported = await this.backend.mcraImport(path);
      this.announcement = `Imported ${this.imported.length} agreement${this.imported.length === 1 ? "" : "s"}.`;
      await this.refreshMcras();
      return true;
    } catch (reason) {
      this.importError = toSealdeskError(reason);
      return false;
    } finally {
      this.importBusy = false;
    }
  }

  private async mcraFile(what: string, write: () => Promise<string>): Promise<boolean> {
    this.fileBusy = true;
    this.fileError = null;
    this.written = null;
    this.sealed = null;
    try {
      this.written = { what, path: await write() };
      this.announcement = `Wrote the ${what} to ${this.written.path}.`;
      return true;
    } catch (reason) {
      this.fileError = toSealdeskError(reason);
      return false;
    } finally {
      this.fileBusy = false;
    }
  }

  private async mcraAction(work: () => Promise<void>): Promise<boolean> {
    this.mcraBusy = true;
    this.mcraError = null;
    try {
      await work();
      await this.refreshMcras();
      return true;
    } catch (reason) {
      this.mcraError = toSealdeskError(reason);
      return false;
    } finally {
      this.mcraBusy = false;
    }
  }
}
