// State of the "Delivery settings" screen: SMTP server and sender, the Europass wallet, and
// "send test mail". The password and the wallet token are typed here and sent to Rust once;
// Rust stores them in the OS keyring (or a user-only file) and only ever says whether one is set.
import type { Backend, DeliverySettingsView, TestMailView } from "../ipc/backend";
import { SealdeskError, toSealdeskError } from "../ipc/backend";

export const TLS_MODES: readonly { value: string; label: string }[] = [
  { value: "starttls", label: "STARTTLS (port 587)" },
  { value: "tls", label: "TLS (port 465)" },
  { value: "none", label: "None (local relay only)" },
];

function blank(): DeliverySettingsView {
  return {
    smtpHost: "",
    smtpPort: "",
    smtpTls: "starttls",
    smtpUser: "",
    smtpFrom: "",
    walletUrl: "",
    walletSendEmail: false,
    passwordSet: false,
    walletTokenSet: false,
  };
}

export class SettingsStore {
  form = $state<DeliverySettingsView>(blank());
  /** Typed, never loaded: empty keeps the stored secret. */
  password = $state("");
  walletToken = $state("");
  loaded = $state(false);
  saving = $state(false);
  saved = $state(false);
  error = $state<SealdeskError | null>(null);

  testTo = $state("");
  testing = $state(false);
  testResult = $state<TestMailView | null>(null);
  testError = $state<SealdeskError | null>(null);

  constructor(private readonly backend: Backend) {}

  async load(): Promise<void> {
    this.saved = false;
    try {
      this.form = await this.backend.deliverySettings();
      this.error = null;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.loaded = true;
    }
  }

  async save(): Promise<void> {
    this.saving = true;
    this.saved = false;
    try {
      this.form = await this.backend.saveDeliverySettings(
        this.form,
        this.password === "" ? null : this.password,
        this.walletToken === "" ? null : this.walletToken,
      );
      this.password = "";
      this.walletToken = "";
      this.error = null;
      this.saved = true;
    } catch (reason) {
      this.error = toSealdeskError(reason);
    } finally {
      this.saving = false;
    }
  }

  async sendTest(): Promise<void> {
    this.testing = true;
    this.testResult = null;
    try {
      this.testResult = await this.backend.sendTestMail(this.testTo.trim());
      this.testError = null;
    } catch (reason) {
      this.testError = toSealdeskError(reason);
    } finally {
      this.testing = false;
    }
  }
}
