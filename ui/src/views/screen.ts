// What a view may ask of the app, and what it hands back. Views depend on
// this interface, not on app.ts, so app.ts can import every view without
// the views importing it in turn.
import type * as api from "../api";
import type { Account, Added, Codes, Settings, VaultStatus } from "../api";

/** A screen: its root node and what it wants to hear about. */
export interface Screen {
  root: HTMLElement;
  /** The element to focus when the screen appears. */
  focus?: HTMLElement;
  /** Each tick's codes, while the screen shows. */
  tick?(codes: Codes): void;
  /** The account list changed (here or in the CLI). */
  accountsChanged?(): void;
  /** A key pressed outside any text field; true if the screen used it. */
  key?(event: KeyboardEvent): boolean;
}

/** A part of Settings a screen can send the user to. */
export type SettingsSection = "backups";

/** Why the unlock screen shows: the user locked, or Rust did (idle, system). */
export type LockReason = "user" | api.LockReason;

/** The app as views see it: its state, navigation, and the status line. */
export interface App {
  status: VaultStatus | null;
  settings: Settings | null;
  accounts: Account[];
  /** The latest codes, so a new screen can draw at once. */
  lastCodes: Codes | null;
  /** Picks the first screen from the vault's status. */
  start(): Promise<void>;
  /** Shows a screen, focusing its main control. */
  show(screen: Screen): void;
  /** Called once the vault is open: loads settings and accounts, starts ticking. */
  unlocked(status: VaultStatus): Promise<void>;
  /** Fetches the account list again. */
  refreshAccounts(): Promise<void>;
  /** Locks now and shows the unlock screen. */
  lockNow(reason: LockReason): Promise<void>;
  goAccounts(): void;
  goAdd(): void;
  goAdded(added: Added): void;
  goDetails(id: string): void;
  goRecovery(): void;
  /** Settings, scrolled to `section` when given. */
  goSettings(section?: SettingsSection): void;
  /** A brief message in the status line (copy confirmations, errors). */
  toast(message: string, kind?: "info" | "error"): void;
  /** Copies an account's code (Rust computes and clears it) and confirms. */
  copy(account: Account): Promise<boolean>;
}
