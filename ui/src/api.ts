// The one module that talks to the Rust side. Every command the page calls
// goes through `call` here, typed by ./bindings.ts, which is generated from
// the Rust types (src-tauri/ipc.rs): a request or answer that changes shape
// in Rust no longer type-checks here. Nothing here ever receives an OTP
// secret unless the user asked to reveal one.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AccountCode,
  AccountView,
  CameraChoice,
  CameraUpdate,
  CodeSlot,
  CommandError,
  Commands,
  DesktopSettings,
  ErrorKind,
  ExportFormatView,
  ManualAccount,
  Preferences,
  RecoveryTarget,
  RecoveryView,
  EditFields,
} from "./bindings";

export type {
  Added,
  AppInfo,
  Algorithm,
  BackupStatus,
  BackupView,
  CameraUpdate,
  CodeSlot,
  Codes,
  Copied,
  DesktopSettings,
  DeviceView,
  ErrorKind,
  Exported,
  GoogleExport,
  ImportOutcome,
  LockReason,
  ManualAccount,
  MergeView,
  OtpKind,
  RecoveryTarget,
  QuickPickInfo,
  Restored,
  ScanResult,
  ShortcutStatus,
  SortOrder,
  SyncView,
  Theme,
  VaultStatus,
} from "./bindings";

/** One account as listed: names and parameters, never the secret. */
export type Account = AccountView;
/** One account's code at a tick. */
export type CodeView = AccountCode;
/** The user's preferences (kept in the vault, read by the CLI too). */
export type Settings = Preferences;
/** One account's or service's recovery codes, masked. */
export type RecoveryEntry = RecoveryView;
/** A camera to pick. */
export type Camera = CameraChoice;
/** One export format, as the export screen offers it. */
export type ExportFormat = ExportFormatView;
/** The fields an edit changes; absent ones stay. */
export type AccountEdit = EditFields;

/** Commands the page calls with nothing. */
type Bare = { [K in keyof Commands]: Commands[K]["request"] extends null ? K : never }[keyof Commands];

/**
 * Calls a command: `request` travels as the command's one argument, raw
 * bytes as the body. Rejects with the command's `{kind, message}`.
 */
function call<K extends keyof Commands>(
  command: K,
  ...request: K extends Bare ? [] : [Commands[K]["request"]]
): Promise<Commands[K]["answer"]> {
  if (request.length === 0) {
    return invoke(command);
  }
  const [body] = request;
  return invoke(command, body instanceof Uint8Array ? body : { request: body });
}

/** The app's name and version. */
export function appInfo() {
  return call("app_info");
}

export function vaultStatus() {
  return call("vault_status");
}

/** Creates the vault with a password slot, a keyring slot, or both. */
export function createVault(password: string | null, keyring: boolean) {
  return call("create_vault", { password, keyring });
}

/**
 * Unlocks with the password. A vault file older than one this computer
 * opened is refused (`rolledBack`) unless `acceptOlder`: the user chose to
 * go back to it.
 */
export function unlock(password: string, acceptOlder = false) {
  return call("unlock", { password, acceptOlder });
}

export function unlockWithKeyring(acceptOlder = false) {
  return call("unlock_with_keyring", { acceptOlder });
}

/** Drops the vault's keys in Rust and clears a copied code from the clipboard. */
export function lock() {
  return call("lock");
}

/** Tells Rust the user did something, postponing the idle auto-lock. */
export function activity() {
  return call("activity");
}

export function changePassword(current: string | null, next: string) {
  return call("change_password", { current, new: next });
}

export function setKeyring(enabled: boolean) {
  return call("set_keyring", { enabled });
}

export function listAccounts() {
  return call("list_accounts");
}

export function codes() {
  return call("codes");
}

export function addAccountUri(uri: string, force: boolean) {
  return call("add_account_uri", { uri, force });
}

/** The largest image sent for scanning (src-tauri/commands/scan.rs). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * Rust hides the window, waits `delaySeconds`, captures the screens and
 * reads the QR codes on them, then shows the window again.
 */
export function scanScreen(delaySeconds = 0) {
  return call("scan_screen", { delaySeconds });
}

/**
 * Rust captures the screens as scanScreen does and keeps the capture;
 * answers a scaled-down picture of it (a data: URL) to pick a region on.
 */
export function captureScreen(delaySeconds = 0) {
  return call("capture_screen", { delaySeconds });
}

/** Rust reads the QR codes in a region (fractions 0–1) of the last capture. */
export function scanRegion(region: { x: number; y: number; width: number; height: number }) {
  return call("scan_region", region);
}

/**
 * The accounts an otpauth:// link or QR image on the clipboard holds, by
 * name only (the add screen asks every second); null when none.
 */
export function clipboardOffer() {
  return call("clipboard_offer");
}

/** Puts the accounts of a clipboard offer the user accepted among the found ones. */
export function takeClipboard(id: number) {
  return call("take_clipboard", { id });
}

/** Rust reads the QR codes in the clipboard's image. */
export function scanClipboard() {
  return call("scan_clipboard");
}

/** Sends an image's bytes (at most MAX_IMAGE_BYTES) for Rust to read. */
export function scanImage(bytes: Uint8Array) {
  return call("scan_image", bytes);
}

/** Adds the scanned accounts picked by index. */
export function addScanned(indexes: number[]) {
  return call("add_scanned", { indexes });
}

/** Forgets what scans found. */
export function scanReset() {
  return call("scan_reset");
}

/** The cameras Rust can open; empty when there are none. */
export function listCameras(): Promise<Camera[]> {
  return call("list_cameras");
}

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
  const request: Commands["start_camera"]["request"] = { index };
  return invoke("start_camera", { request, preview, updates });
}

/** Stops the camera scan; resolves once the camera is released. */
export function stopCamera() {
  return call("stop_camera");
}

/** Tells Rust the last preview is drawn and the next may come. */
export function cameraPreviewDrawn() {
  return call("camera_preview_drawn");
}

/** The largest backup file read (tessera-transfer's cap). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

/** Sends a backup file's bytes for Rust to read; its accounts join the found list. */
export function importFile(bytes: Uint8Array) {
  return call("import_file", bytes);
}

/** The waiting file's password and, for KeePass, the key file's bytes. */
export function importPassword(password: string, keyFile: Uint8Array | null = null) {
  return call("import_password", keyFile ? { password, keyFile: Array.from(keyFile) } : { password });
}

export function exportFormats(): Promise<ExportFormat[]> {
  return call("export_formats");
}

/** Rust writes every account to a new file in the user's documents. */
export function exportFile(format: string, password: string | null) {
  return call("export_file", { format, password });
}

/**
 * A Google Authenticator migration series of every account it can hold:
 * returned as images to show (they hold the secrets) or, with `save`,
 * written as PNG files to a new folder in the user's documents.
 */
export function exportGoogle(save: boolean) {
  return call("export_google", { save });
}

export function addAccountManual(account: ManualAccount, force: boolean) {
  return call("add_account_manual", { account, force });
}

export function editAccount(id: string, edit: AccountEdit): Promise<Account> {
  return call("edit_account", { id, edit });
}

/** Removes an account; resolves to how it was named. */
export function removeAccount(id: string) {
  return call("remove_account", { id });
}

/** Generates the next code of a counter-based account (advances its counter). */
export function hotpNext(id: string): Promise<CodeView> {
  return call("hotp_next", { id });
}

/** Rust computes the code now, copies it, and clears it after the delay. */
export function copyCode(id: string) {
  return call("copy_code", { id });
}

export function recoveryList(): Promise<RecoveryEntry[]> {
  return call("recovery_list");
}

/**
 * Splits a pasted block into codes for the preview (the page has the text
 * already) and, given where they go, compares them with the set kept there.
 */
export function recoveryParse(text: string, target: RecoveryTarget | null = null) {
  return call("recovery_parse", target === null ? { text } : { text, target });
}

export function recoveryAdd(
  target: RecoveryTarget,
  text: string,
  rotating: boolean,
  note: string | null,
  replace = false,
): Promise<RecoveryEntry> {
  return call("recovery_add", { target, text, rotating, note, replace });
}

export function recoveryUse(id: string, slot: CodeSlot) {
  return call("recovery_use", { id, index: slot.index, shape: slot.shape });
}

/** Removes one code (a slot given) or every code of the entry. */
/** Undoes a mistaken mark of use: the code is unused again. */
export function recoveryUnuse(id: string, slot: CodeSlot): Promise<RecoveryEntry> {
  return call("recovery_unuse", { id, index: slot.index, shape: slot.shape });
}

export function recoveryRemove(id: string, slot: CodeSlot | null) {
  return call("recovery_remove", { id, index: slot?.index ?? null, shape: slot?.shape ?? null });
}

/**
 * The codes themselves: only when the user asks to reveal them, and says yes
 * in the dialog Rust shows outside the page (else rejects as `declined`).
 */
export function recoveryReveal(id: string) {
  return call("recovery_reveal", { id });
}

/** Rust copies one code to the clipboard; resolves to the seconds until it is cleared. */
export function recoveryCopy(id: string, slot: CodeSlot) {
  return call("recovery_copy", { id, index: slot.index, shape: slot.shape });
}

export function recoveryEdit(id: string, rotating: boolean | null, note: string | null): Promise<RecoveryEntry> {
  return call("recovery_edit", { id, rotating, note });
}

/**
 * The account as a QR code for another device (a PNG data: URL). It holds
 * the secret: call only after the user asked to reveal it. Rust asks the
 * user again outside the page (a no rejects as `declined`).
 */
export function accountQr(id: string) {
  return call("account_qr", { id });
}

export function getSettings(): Promise<Settings> {
  return call("get_settings");
}

/** Whether the global quick-pick shortcut is held, and why not. */
export function shortcutStatus() {
  return call("shortcut_status");
}

/** The quick-pick page is ready: Rust shows its window; says whether typing can work. */
export function quickPickReady() {
  return call("quick_pick_ready");
}

/** Hides the quick-pick window. */
export function quickPickClose() {
  return call("quick_pick_close");
}

/** Hides the quick pick and brings the main window forward to unlock. */
export function quickPickUnlock() {
  return call("quick_pick_unlock");
}

/** Rust types the account's current code into the window the user was in. */
export function quickPickType(id: string) {
  return call("quick_pick_type", { id });
}

export function setSettings(settings: Settings): Promise<Settings> {
  return call("set_settings", settings);
}

/** This computer's desktop settings (theme, tray, shortcut); readable while locked. */
export function getDesktopSettings(): Promise<DesktopSettings> {
  return call("get_desktop_settings");
}

export function setDesktopSettings(settings: DesktopSettings): Promise<DesktopSettings> {
  return call("set_desktop_settings", settings);
}

/** Light or dark, from the choice in Settings and the desktop's preference; asked while locked too. */
export function currentTheme(): Promise<"light" | "dark"> {
  return call("current_theme");
}

/** Whether Tessera starts at login (its XDG autostart entry is there). */
export function getAutostart(): Promise<boolean> {
  return call("get_autostart");
}

/** Writes or removes the autostart entry; resolves to whether it is there now. */
export function setAutostart(enabled: boolean): Promise<boolean> {
  return call("set_autostart", { enabled });
}

/** Whether automatic backups are on, where, and when the last was written. */
export function backupStatus() {
  return call("backup_status");
}

/**
 * Rust shows the native folder chooser and turns backups on in the folder
 * the user picks (keeping `keep`); a cancelled chooser changes nothing.
 */
export function enableBackups(keep: number) {
  return call("enable_backups", { keep });
}

export function setBackupKeep(keep: number) {
  return call("set_backup_keep", { keep });
}

export function disableBackups() {
  return call("disable_backups");
}

/** The backups in the backup folder, newest first. */
export function listBackups() {
  return call("list_backups");
}

/**
 * Replaces the vault's accounts, recovery codes and preferences with those
 * of a listed backup; resolves to where the vault as it was went.
 */
export function restoreBackup(path: string, password: string | null) {
  return call("restore_backup", { path, password });
}

/** Whether the vault syncs, through which folder, and what the last sync did. */
export function syncStatus() {
  return call("sync_status");
}

/**
 * Rust shows the native folder chooser and syncs through the folder the
 * user picks, as `name` (null: this computer's name).
 */
export function enableSync(name: string | null) {
  return call("enable_sync", { name });
}

export function syncNow() {
  return call("sync_now");
}

export function disableSync() {
  return call("disable_sync");
}

/**
 * With no vault yet: Rust shows the native folder chooser, makes this
 * computer's vault from the one synced there (the password opens it) and
 * unlocks it. A cancelled chooser resolves to a status without a vault.
 */
export function joinSync(password: string, name: string | null) {
  return call("join_sync", { password, name });
}

function isCommandError(error: unknown): error is CommandError {
  return typeof error === "object" && error !== null && "kind" in error && "message" in error;
}

/** The kind of a rejected command (`null` for anything else). */
export function errorKind(error: unknown): ErrorKind | null {
  return isCommandError(error) ? error.kind : null;
}

/**
 * Whether the user said no in the native dialog Rust asks before a secret
 * reaches the page (or is written in the clear): nothing was shown or written.
 */
export function declined(error: unknown): boolean {
  return errorKind(error) === "declined";
}

/** A rejected command's one line for people. */
export function errorText(error: unknown): string {
  if (isCommandError(error)) {
    return error.message;
  }
  if (typeof error === "string") {
    return error;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
