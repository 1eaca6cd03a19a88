// The one module that talks to the Rust side. Every IPC call the UI makes
// goes through here, so the capability list in src-tauri/capabilities can be
// checked against this file. Nothing here ever receives an OTP secret.
import { Channel, invoke } from "@tauri-apps/api/core";

/** The app's name and version, as the Rust side reports them. */
export interface AppInfo {
  name: string;
  version: string;
}

/** Asks the Rust side for the app's name and version. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** Where the vault is and how it opens (nothing secret). */
export interface VaultStatus {
  path: string | null;
  exists: boolean;
  hasPassword: boolean;
  hasKeyring: boolean;
  unlocked: boolean;
  error: string | null;
}

/** The Rust side's message for commands that need the vault while it is locked. */
export const LOCKED = "the vault is locked";

export function vaultStatus(): Promise<VaultStatus> {
  return invoke<VaultStatus>("vault_status");
}

/** Creates the vault with a password slot, a keyring slot, or both. */
export function createVault(password: string | null, keyring: boolean): Promise<VaultStatus> {
  return invoke<VaultStatus>("create_vault", { password, keyring });
}

export function unlock(password: string): Promise<VaultStatus> {
  return invoke<VaultStatus>("unlock", { password });
}

export function unlockWithKeyring(): Promise<VaultStatus> {
  return invoke<VaultStatus>("unlock_with_keyring");
}

/** Drops the vault's keys in Rust and clears a copied code from the clipboard. */
export function lock(): Promise<VaultStatus> {
  return invoke<VaultStatus>("lock");
}

/** Tells Rust the user did something, postponing the idle auto-lock. */
export function activity(): Promise<void> {
  return invoke<void>("activity");
}

export function changePassword(current: string | null, next: string): Promise<VaultStatus> {
  return invoke<VaultStatus>("change_password", { current, new: next });
}

export function setKeyring(enabled: boolean): Promise<VaultStatus> {
  return invoke<VaultStatus>("set_keyring", { enabled });
}

export type OtpKind = "totp" | "hotp" | "steam";
export type Algorithm = "SHA1" | "SHA256" | "SHA512";

/** One account as listed: names and parameters, never the secret. */
export interface Account {
  id: string;
  issuer: string;
  name: string;
  kind: OtpKind;
  algorithm: Algorithm;
  digits: number;
  period: number;
  /** The HOTP counter as text: it may not fit a JavaScript number exactly. */
  counter: string;
  favourite: boolean;
  tags: string[];
  notes: string;
  createdAt: number;
  /** Recovery codes still good, if it has any stored. */
  recoveryUnused: number | null;
  /** The first warning about its recovery codes. */
  recoveryWarning: string | null;
}

export interface AccountList {
  revision: number;
  accounts: Account[];
}

export function listAccounts(): Promise<AccountList> {
  return invoke<AccountList>("list_accounts");
}

/** One account's code at a tick. */
export interface CodeView {
  id: string;
  code: string | null;
  /** The next code, sent in the last seconds of a period. */
  next: string | null;
  validFrom: number | null;
  validUntil: number | null;
  error: string | null;
}

/** Why Rust locked the vault by itself. */
export type LockReason = "idle" | "system";

export interface Codes {
  unlocked: boolean;
  /** When locked by Rust: why. */
  lockReason: LockReason | null;
  /** The moment of these codes (Rust's clock plus the user's offset), unix ms. */
  nowMs: number;
  revision: number;
  codes: CodeView[];
}

export function codes(): Promise<Codes> {
  return invoke<Codes>("codes");
}

export interface Added {
  account: Account;
  code: CodeView;
}

export function addAccountUri(uri: string, force: boolean): Promise<Added> {
  return invoke<Added>("add_account_uri", { uri, force });
}

/** One account a QR scan found (the secret stays in Rust). */
export interface FoundAccount {
  index: number;
  issuer: string;
  name: string;
  kind: OtpKind;
  duplicate: boolean;
  /** Unused recovery codes that come with it (from a Tessera backup). */
  recoveryCodes: number;
}

/** What scans found so far. */
export interface ScanResult {
  found: FoundAccount[];
  /** A Google Authenticator export of several codes: which are missing (from 1). */
  series: { size: number; missing: number[] } | null;
  skipped: string[];
  notes: string[];
  /** Services without an account whose recovery codes come along. */
  recoveryServices: number;
}

/** The largest image sent for scanning (src-tauri/commands/scan.rs). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** Rust captures the screens and reads the QR codes on them. */
export function scanScreen(): Promise<ScanResult> {
  return invoke<ScanResult>("scan_screen");
}

/** Rust reads the QR codes in the clipboard's image. */
export function scanClipboard(): Promise<ScanResult> {
  return invoke<ScanResult>("scan_clipboard");
}

/** Sends an image's bytes (at most MAX_IMAGE_BYTES) for Rust to read. */
export function scanImage(bytes: Uint8Array): Promise<ScanResult> {
  return invoke<ScanResult>("scan_image", bytes);
}

/** Adds the scanned accounts picked by index. */
export function addScanned(indexes: number[]): Promise<Added[]> {
  return invoke<Added[]>("add_scanned", { indexes });
}

/** Forgets what scans found. */
export function scanReset(): Promise<void> {
  return invoke<void>("scan_reset");
}

/** A camera to pick (its number and the system's name for it). */
export interface Camera {
  index: number;
  name: string;
}

/** The cameras Rust can open; empty when there are none. */
export function listCameras(): Promise<Camera[]> {
  return invoke<Camera[]>("list_cameras");
}

/** What Rust says about a running camera scan, besides the previews. */
export type CameraUpdate =
  /** A code is in view that is not an enrollment; the scan goes on. */
  | { kind: "note"; message: string }
  /** An enrollment was found and the camera released: everything found so far. */
  | { kind: "found"; result: ScanResult }
  /** The camera cannot be used (none, busy, denied, failed); it is released. */
  | { kind: "failed"; message: string }
  /** The scan ended without a find; the camera is released. */
  | { kind: "ended"; message: string };

/**
 * Starts scanning with a camera. Previews arrive as grey frames (see
 * parsePreview in views/camera.ts); after drawing one, call
 * cameraPreviewDrawn to get the next.
 */
export function startCamera(
  index: number,
  onPreview: (frame: ArrayBuffer) => void,
  onUpdate: (update: CameraUpdate) => void,
): Promise<void> {
  const preview = new Channel<ArrayBuffer>(onPreview);
  const updates = new Channel<CameraUpdate>(onUpdate);
  return invoke<void>("start_camera", { index, preview, updates });
}

/** Stops the camera scan; resolves once the camera is released. */
export function stopCamera(): Promise<void> {
  return invoke<void>("stop_camera");
}

/** Tells Rust the last preview is drawn and the next may come. */
export function cameraPreviewDrawn(): Promise<void> {
  return invoke<void>("camera_preview_drawn");
}

/** The largest backup file read (tessera-transfer's cap). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export interface ImportOutcome {
  /** The file is encrypted: ask for its password, then call importPassword. */
  needsPassword: boolean;
  format: string | null;
  result: ScanResult | null;
}

/** Sends a backup file's bytes for Rust to read; its accounts join the found list. */
export function importFile(bytes: Uint8Array): Promise<ImportOutcome> {
  return invoke<ImportOutcome>("import_file", bytes);
}

export function importPassword(password: string): Promise<ImportOutcome> {
  return invoke<ImportOutcome>("import_password", { password });
}

export interface ExportFormat {
  id: string;
  name: string;
  /** What it holds and what reads it. */
  description: string;
  password: "required" | "optional" | "never";
  /** `file`: written by exportFile; `qr-series`: made by exportGoogle. */
  kind: "file" | "qr-series";
}

export function exportFormats(): Promise<ExportFormat[]> {
  return invoke<ExportFormat[]>("export_formats");
}

export interface Exported {
  path: string;
  accounts: number;
  encrypted: boolean;
  notes: string[];
}

/** Rust writes every account to a new file in the user's documents. */
export function exportFile(format: string, password: string | null): Promise<Exported> {
  return invoke<Exported>("export_file", { format, password });
}

export interface GoogleExport {
  /** PNG data URLs of the QR codes, in order, when shown. */
  images: string[];
  /** Where the PNG files went, when saved. */
  folder: string | null;
  accounts: number;
  codes: number;
  notes: string[];
}

/**
 * A Google Authenticator migration series of every account it can hold:
 * returned as images to show (they hold the secrets) or, with `save`,
 * written as PNG files to a new folder in the user's documents.
 */
export function exportGoogle(save: boolean): Promise<GoogleExport> {
  return invoke<GoogleExport>("export_google", { save });
}

/** An account typed in by hand, as the form collects it. */
export interface ManualAccount {
  issuer: string;
  name: string;
  secret: string;
  kind: OtpKind;
  algorithm: Algorithm;
  digits: number;
  period: number;
  counter: string;
}

export function addAccountManual(account: ManualAccount, force: boolean): Promise<Added> {
  return invoke<Added>("add_account_manual", { account, force });
}

/** The fields an edit changes; absent ones stay. */
export interface AccountEdit {
  issuer?: string;
  name?: string;
  notes?: string;
  favourite?: boolean;
  tags?: string[];
}

export function editAccount(id: string, edit: AccountEdit): Promise<Account> {
  return invoke<Account>("edit_account", { id, edit });
}

/** Removes an account; resolves to how it was named. */
export function removeAccount(id: string): Promise<string> {
  return invoke<string>("remove_account", { id });
}

/** Generates the next code of a counter-based account (advances its counter). */
export function hotpNext(id: string): Promise<CodeView> {
  return invoke<CodeView>("hotp_next", { id });
}

export interface Copied {
  code: string;
  clearsInSeconds: number | null;
}

/** Rust computes the code now, copies it, and clears it after the delay. */
export function copyCode(id: string): Promise<Copied> {
  return invoke<Copied>("copy_code", { id });
}

/** One stored recovery code, masked: its shape, never its characters. */
export interface CodeSlot {
  index: number;
  shape: string;
  addedAt: number;
  usedAt: number | null;
}

/** One account's or service's recovery codes. */
export interface RecoveryEntry {
  id: string;
  accountId: string | null;
  issuer: string;
  name: string;
  label: string;
  rotating: boolean;
  note: string;
  unused: number;
  total: number;
  warnings: string[];
  codes: CodeSlot[];
}

export function recoveryList(): Promise<RecoveryEntry[]> {
  return invoke<RecoveryEntry[]>("recovery_list");
}

/** Splits a pasted block into codes; only their shapes come back. */
export function recoveryParse(text: string): Promise<{ shapes: string[] }> {
  return invoke<{ shapes: string[] }>("recovery_parse", { text });
}

export type RecoveryTarget =
  | { kind: "entry"; id: string }
  | { kind: "account"; id: string }
  | { kind: "service"; issuer: string; name: string };

export function recoveryAdd(
  target: RecoveryTarget,
  text: string,
  rotating: boolean,
  note: string | null,
): Promise<RecoveryEntry> {
  return invoke<RecoveryEntry>("recovery_add", { target, text, rotating, note });
}

export function recoveryUse(
  id: string,
  slot: CodeSlot,
): Promise<{ entry: RecoveryEntry; replacementExpected: boolean }> {
  return invoke("recovery_use", { id, index: slot.index, shape: slot.shape });
}

/** Removes one code (a slot given) or every code of the entry. */
export function recoveryRemove(id: string, slot: CodeSlot | null): Promise<void> {
  return invoke<void>("recovery_remove", { id, index: slot?.index ?? null, shape: slot?.shape ?? null });
}

/** The codes themselves: only when the user asks to reveal them. */
export function recoveryReveal(id: string): Promise<string[]> {
  return invoke<string[]>("recovery_reveal", { id });
}

/** Rust copies one code to the clipboard; resolves to the seconds until it is cleared. */
export function recoveryCopy(id: string, slot: CodeSlot): Promise<number | null> {
  return invoke<number | null>("recovery_copy", { id, index: slot.index, shape: slot.shape });
}

export function recoveryEdit(id: string, rotating: boolean | null, note: string | null): Promise<RecoveryEntry> {
  return invoke<RecoveryEntry>("recovery_edit", { id, rotating, note });
}

/**
 * The account as a QR code for another device (a PNG data: URL). It holds
 * the secret: call only after the user asked to reveal it.
 */
export function accountQr(id: string): Promise<string> {
  return invoke<string>("account_qr", { id });
}

export type SortOrder = "issuer" | "name" | "recent" | "manual";

export interface Settings {
  autoLockMinutes: number;
  lockOnSystemLock: boolean;
  clipboardClearSeconds: number;
  timeOffsetSeconds: number;
  sortOrder: SortOrder;
}

export function getSettings(): Promise<Settings> {
  return invoke<Settings>("get_settings");
}

export function setSettings(settings: Settings): Promise<Settings> {
  return invoke<Settings>("set_settings", { settings });
}

/** A rejected command's message (Rust sends one line of text). */
export function errorText(error: unknown): string {
  if (typeof error === "string") {
    return error;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
