// Which screen the window shows. The sidebar lists only screens that exist.

export type ScreenId = "device" | "templates" | "verify" | "trust" | "batch" | "register" | "outbox" | "settings"
  | "learning"
  | "review"
  | "agreements";

export interface ScreenEntry {
  id: ScreenId;
  label: string;
  /** One line under the label, for the sidebar. */
  hint: string;
  /** Sidebar group heading the entry sits under, if any. */
  group?: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: "device", label: "Seal device", hint: "Token, certificate, PIN" },
  { id: "templates", label: "Templates", hint: "Credential templates" },
  { id: "batch", label: "Batch", hint: "Seal from a spreadsheet" },
  { id: "register", label: "Register", hint: "Issued credentials" },
  { id: "verify", label: "Verify", hint: "Check a sealed credential" },
  { id: "trust", label: "How to get a seal", hint: "Trusted lists, providers" },
  { id: "outbox", label: "Outbox", hint: "Mails and wallet deposits" },
  { id: "settings", label: "Delivery settings", hint: "Mail server, wallet" },
  { id: "learning", label: "Learning opportunities", hint: "Module catalogue", group: "Programmes" },
  { id: "review", label: "Review queue", hint: "Approve or send back", group: "Programmes" },
  { id: "agreements", label: "Agreements", hint: "Credit recognition (MCRA)", group: "Programmes" },
];

export class NavStore {
  current = $state<ScreenId>("device");

  go(id: ScreenId): void {
    this.current = id;
  }
}
