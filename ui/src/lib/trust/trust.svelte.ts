// State of the "How to get a seal" screen: the trusted-list cache, loading a folder of lists,
// and the providers of qualified seal certificates for the chosen country and language.
import type { Backend, TrustCacheView, TrustedListView, TrustProvidersView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

/** EU member states and EEA countries by their trusted-list territory code (Greece is EL). */
export const COUNTRIES: readonly { code: string; name: string }[] = [
  { code: "AT", name: "Austria" },
  { code: "BE", name: "Belgium" },
  { code: "BG", name: "Bulgaria" },
  { code: "HR", name: "Croatia" },
  { code: "CY", name: "Cyprus" },
  { code: "CZ", name: "Czechia" },
  { code: "DK", name: "Denmark" },
  { code: "EE", name: "Estonia" },
  { code: "FI", name: "Finland" },
  { code: "FR", name: "France" },
  { code: "DE", name: "Germany" },
  { code: "EL", name: "Greece" },
  { code: "HU", name: "Hungary" },
  { code: "IS", name: "Iceland (EEA)" },
  { code: "IE", name: "Ireland" },
  { code: "IT", name: "Italy" },
  { code: "LV", name: "Latvia" },
  { code: "LI", name: "Liechtenstein (EEA)" },
  { code: "LT", name: "Lithuania" },
  { code: "LU", name: "Luxembourg" },
  { code: "MT", name: "Malta" },
  { code: "NL", name: "Netherlands" },
  { code: "NO", name: "Norway (EEA)" },
  { code: "PL", name: "Poland" },
  { code: "PT", name: "Portugal" },
  { code: "RO", name: "Romania" },
  { code: "SK", name: "Slovakia" },
  { code: "SI", name: "Slovenia" },
  { code: "ES", name: "Spain" },
  { code: "SE", name: "Sweden" },
];

/** Languages Rust has the term for (`sealdesk-trust` terms); others fall back to English. */
export const LANGUAGES: readonly { code: string; name: string }[] = [
  { code: "en", name: "English" },
  { code: "fr", name: "Français" },
  { code: "de", name: "Deutsch" },
  { code: "es", name: "Español" },
  { code: "it", name: "Italiano" },
  { code: "nl", name: "Nederlands" },
  { code: "pt", name: "Português" },
  { code: "pl", name: "Polski" },
  { code: "fi", name: "Suomi" },
  { code: "sv", name: "Svenska" },
];

/** The UI language if Rust has a term for it, else English. */
export function uiLanguage(): string {
  const base = (typeof navigator !== "undefined" ? navigator.language : "en").split(/[-_]/)[0]?.toLowerCase() ?? "en";
  return LANGUAGES.some((l) => l.code === base) ? base : "en";
}

export class TrustStore {
  cache = $state<TrustCacheView | null>(null);
  cacheError = $state<SealdeskError | null>(null);

  folder = $state("");
  loading = $state(false);
  loaded = $state<TrustedListView[] | null>(null);
  loadError = $state<SealdeskError | null>(null);

  country = $state("");
  language = $state(uiLanguage());
  providers = $state<TrustProvidersView | null>(null);
  providersError = $state<SealdeskError | null>(null);
  searching = $state(false);

  readonly #backend: Backend;
  #ticket = 0;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Territories to choose from: EU and EEA, then any other cached national list (e.g. a TEST list). */
  get countries(): { code: string; name: string }[] {
    const known = new Set(COUNTRIES.map((c) => c.code));
    const extra = (this.cache?.lists ?? [])
      .filter((l) => !l.isLotl && !known.has(l.territory))
      .map((l) => ({ code: l.territory, name: `${l.territory} (cached list, not an EU/EEA country)` }));
    return [...COUNTRIES, ...extra];
  }

  async refreshCache(): Promise<void> {
    try {
      this.cache = await this.#backend.trustCache();
      this.cacheError = null;
    } catch (reason) {
      this.cacheError = toSealdeskError(reason);
    }
  }

  async loadFolder(): Promise<void> {
    const dir = this.folder.trim();
    if (!dir) return;
    this.loading = true;
    this.loadError = null;
    this.loaded = null;
    try {
      this.loaded = await this.#backend.loadTrustedLists(dir);
    } catch (reason) {
      this.loadError = toSealdeskError(reason);
    } finally {
      this.loading = false;
    }
    await this.refreshCache();
    if (this.country) await this.search();
  }

  async search(): Promise<void> {
    if (!this.country) {
      this.providers = null;
      return;
    }
    const ticket = ++this.#ticket;
    this.searching = true;
    this.providersError = null;
    try {
      const view = await this.#backend.trustProviders(this.country, this.language);
      if (ticket === this.#ticket) this.providers = view;
    } catch (reason) {
      if (ticket === this.#ticket) this.providersError = toSealdeskError(reason);
    } finally {
      if (ticket === this.#ticket) this.searching = false;
    }
  }
}
