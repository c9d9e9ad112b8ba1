// State of the Templates screens: the list, the template open in the editor (its saved
// version and the form being edited), the live preview, and the picker choices Rust serves.
// No rule lives here: findings, the Annex I check and the preview all come from Rust.
import type {
  Backend,
  ChoiceView,
  StartingPoint,
  TemplateEditView,
  TemplateFormView,
  TemplatePreviewView,
  TemplateSummaryView,
} from "../ipc/backend";
import { CredentialPdfStore } from "../pdf/credentialPdf.svelte";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

/** The vocabularies the editor's pickers offer (keys of Rust's scheme table). */
export const PICKER_SCHEMES = ["eqf", "isced-f", "learning-assessment", "learning-setting", "assessment", "credential", "country"] as const;
export type PickerScheme = (typeof PICKER_SCHEMES)[number];

const PREVIEW_DELAY_MS = 250;

export class TemplatesStore {
  list = $state<TemplateSummaryView[]>([]);
  showArchived = $state(false);
  loading = $state(false);
  error = $state<SealdeskError | null>(null);
  /** A sentence for the live region after an action ("Saved version 3."). */
  announcement = $state("");

  /** The template open in the editor, as last saved. */
  open = $state<TemplateEditView | null>(null);
  /** The form being edited, and the template's name. */
  draft = $state<TemplateFormView | null>(null);
  name = $state("");
  dirty = $state(false);
  saving = $state(false);
  saveError = $state<SealdeskError | null>(null);

  preview = $state<TemplatePreviewView | null>(null);
  previewError = $state<SealdeskError | null>(null);

  vocabReady = $state(false);
  vocabError = $state<SealdeskError | null>(null);
  choices = $state<Partial<Record<PickerScheme, ChoiceView[]>>>({});

  readonly #backend: Backend;
  #previewTimer: ReturnType<typeof setTimeout> | undefined;
  #previewAsked = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** The PDF of the open template as last saved (a SPECIMEN), or null when none is open. */
  savedPdf(): CredentialPdfStore | null {
    const s = this.open?.template.summary;
    return s ? new CredentialPdfStore(this.#backend, { kind: "template", id: s.id, version: s.version }) : null;
  }

  async refresh(): Promise<void> {
    await this.#run(async () => {
      this.list = await this.#backend.listTemplates(this.showArchived);
    });
  }

  /** Loads the vocabularies (seconds, the first time) and the pickers' choices. */
  async prepare(lang: string): Promise<void> {
    try {
      await this.#backend.prepareVocabularies();
      const loaded: Partial<Record<PickerScheme, ChoiceView[]>> = {};
      for (const scheme of PICKER_SCHEMES) {
        loaded[scheme] = await this.#backend.vocabulary(scheme, lang);
      }
      this.choices = loaded;
      this.vocabReady = true;
      this.vocabError = null;
    } catch (reason) {
      this.vocabError = toSealdeskError(reason);
    }
  }

  async select(id: string): Promise<void> {
    await this.#run(async () => this.#edit(await this.#backend.openTemplate(id)));
  }

  async create(name: string, start: StartingPoint): Promise<boolean> {
    return this.#run(async () => {
      this.#edit(await this.#backend.createTemplate(name, start));
      this.announcement = `Template ${name} created.`;
      await this.#reload();
    });
  }

  async copy(id: string, newName: string): Promise<boolean> {
    return this.#run(async () => {
      this.#edit(await this.#backend.copyTemplate(id, newName));
      this.announcement = `Copied as ${newName}.`;
      await this.#reload();
    });
  }

  async archive(id: string): Promise<boolean> {
    return this.#run(async () => {
      const archived = await this.#backend.archiveTemplate(id);
      if (this.open?.template.summary.id === id) this.close();
      this.announcement = `Template ${archived.name} archived.`;
      await this.#reload();
    });
  }

  async importFile(file: File): Promise<boolean> {
    return this.#run(async () => {
      const text = await file.text();
      const view = await this.#backend.importTemplate(text, file.name);
      this.#edit(view);
      this.announcement = `Imported ${file.name} as ${view.template.summary.name}.`;
      await this.#reload();
    });
  }

  /** The editor changed the draft: mark it and ask Rust for a fresh preview shortly. */
  changed(): void {
    this.dirty = true;
    clearTimeout(this.#previewTimer);
    this.#previewTimer = setTimeout(() => void this.#refreshPreview(), PREVIEW_DELAY_MS);
  }

  async save(): Promise<boolean> {
    const open = this.open;
    const draft = this.draft;
    if (!open || !draft) return false;
    this.saving = true;
    try {
      const view = await this.#backend.saveTemplate(open.template.summary.id, this.name, $state.snapshot(draft));
      this.#edit(view);
      this.saveError = null;
      this.announcement = `Saved version ${view.template.summary.version}.`;
      await this.#reload();
      return true;
    } catch (reason) {
      this.saveError = toSealdeskError(reason);
      return false;
    } finally {
      this.saving = false;
    }
  }

  searchSkills(text: string): Promise<ChoiceView[]> {
    return this.#backend.searchSkills(text);
  }

  suggestSkills(outcomeText: string): Promise<ChoiceView[]> {
    return this.#backend.suggestSkills(outcomeText);
  }

  #edit(view: TemplateEditView): void {
    this.open = view;
    this.draft = structuredClone(view.form);
    this.name = view.template.summary.name;
    this.dirty = false;
    this.saveError = null;
    void this.#refreshPreview();
  }

  /** Back to the list. */
  close(): void {
    this.open = null;
    this.draft = null;
    this.preview = null;
  }

  async #refreshPreview(): Promise<void> {
    const open = this.open;
    const draft = this.draft;
    if (!open || !draft) return;
    const mine = ++this.#previewAsked;
    try {
      const preview = await this.#backend.previewTemplate(open.template.summary.id, $state.snapshot(draft));
      if (mine !== this.#previewAsked) return;
      this.preview = preview;
      this.previewError = null;
    } catch (reason) {
      if (mine !== this.#previewAsked) return;
      this.previewError = toSealdeskError(reason);
    }
  }

  async #reload(): Promise<void> {
    this.list = await this.#backend.listTemplates(this.showArchived);
  }

  async #run(work: () => Promise<void>): Promise<boolean> {
    this.loading = true;
    try {
      await work();
      this.error = null;
      return true;
    } catch (reason) {
      this.error = toSealdeskError(reason);
      return false;
    } finally {
      this.loading = false;
    }
  }
}

/** `2026-11-23T05:30:05Z` -> `2026-11-23 05:30`. */
export function shortTime(rfc3339: string): string {
  return rfc3339.slice(0, 16).replace("T", " ");
}
