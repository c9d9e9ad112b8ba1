// The 24 official languages of the EU, for the language picker of multilingual fields.
// Names are each language's own name, so a person finds their language whatever the UI language.
export const EU_LANGUAGES: readonly { code: string; name: string }[] = [
  { code: "bg", name: "български" },
  { code: "cs", name: "čeština" },
  { code: "da", name: "dansk" },
  { code: "de", name: "Deutsch" },
  { code: "el", name: "ελληνικά" },
  { code: "en", name: "English" },
  { code: "es", name: "español" },
  { code: "et", name: "eesti" },
  { code: "fi", name: "suomi" },
  { code: "fr", name: "français" },
  { code: "ga", name: "Gaeilge" },
  { code: "hr", name: "hrvatski" },
  { code: "hu", name: "magyar" },
  { code: "it", name: "italiano" },
  { code: "lt", name: "lietuvių" },
  { code: "lv", name: "latviešu" },
  { code: "mt", name: "Malti" },
  { code: "nl", name: "Nederlands" },
  { code: "pl", name: "polski" },
  { code: "pt", name: "português" },
  { code: "ro", name: "română" },
  { code: "sk", name: "slovenčina" },
  { code: "sl", name: "slovenščina" },
  { code: "sv", name: "svenska" },
];

export function languageName(code: string): string {
  return EU_LANGUAGES.find((l) => l.code === code)?.name ?? code;
}
