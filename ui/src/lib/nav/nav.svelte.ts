// Which screen the window shows. The sidebar lists only screens that exist.

export type ScreenId = "device" | "templates";

export interface ScreenEntry {
  id: ScreenId;
  label: string;
  /** One line under the label, for the sidebar. */
  hint: string;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: "device", label: "Seal device", hint: "Token, certificate, PIN" },
  { id: "templates", label: "Templates", hint: "Credential templates" },
];

export class NavStore {
  current = $state<ScreenId>("device");

  go(id: ScreenId): void {
    this.current = id;
  }
}
