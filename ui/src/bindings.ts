// Generated from the Rust types by src-tauri/ipc.rs (`make bindings`); do not edit.
// `make test` fails when this file is stale.

export type OtpKind = "totp" | "hotp" | "steam";
export type Algorithm = "SHA1" | "SHA256" | "SHA512";
export type AppInfo = { 
/**
 * "Tessera".
 */
name: string, 
/**
 * The version from Cargo.toml.
 */
version: string, };
export type VaultStatus = { 
/**
 * The vault file, when it can be known.
 */
path: string | null, 
/**
 * Whether anything is at the path.
 */
exists: boolean, 
/**
 * It has a password slot.
 */
hasPassword: boolean, 
/**
 * It has an OS keyring slot.
 */
hasKeyring: boolean, 
/**
 * It is unlocked in this app.
 */
unlocked: boolean, 
/**
 * Why the vault cannot be used, one line.
 */
error: string | null, };
export type AccountView = { 
/**
 * The account's id.
 */
id: string, 
/**
 * The service.
 */
issuer: string, 
/**
 * The account at the service.
 */
name: string, 
/**
 * `totp`, `hotp` or `steam`.
 */
kind: OtpKind, 
/**
 * `SHA1`, `SHA256` or `SHA512`.
 */
algorithm: Algorithm, 
/**
 * Code length.
 */
digits: number, 
/**
 * Seconds per code (time-based kinds).
 */
period: number, 
/**
 * The HOTP counter of the next code, as text (it may exceed what a
 * JavaScript number holds exactly).
 */
counter: string, 
/**
 * Shown first.
 */
favourite: boolean, 
/**
 * Labels.
 */
tags: Array<string>, 
/**
 * Free text.
 */
notes: string, 
/**
 * Unix seconds when added.
 */
createdAt: number, 
/**
 * Its recovery codes still good, if it has any stored.
 */
recoveryUnused: number | null, 
/**
 * The first warning about its recovery codes, if any.
 */
recoveryWarning: string | null, };
export type AccountList = { 
/**
 * Changes whenever the contents may have changed.
 */
revision: number, 
/**
 * The accounts in the vault's order.
 */
accounts: Array<AccountView>, };
export type LockReason = "idle" | "system";
export type Codes = { 
/**
 * False when the vault is locked (then nothing else is filled in).
 */
unlocked: boolean, 
/**
 * When locked: why, if Rust locked it by itself.
 */
lockReason: LockReason | null, 
/**
 * The moment the codes are for, unix milliseconds, with the user's
 * time offset applied; the page counts down from it.
 */
nowMs: number, 
/**
 * The contents' revision; when it changes the page lists the
 * accounts again.
 */
revision: number, 
/**
 * One entry per account, in the vault's order.
 */
codes: Array<AccountCode>, };
export type AccountCode = { 
/**
 * The account's id.
 */
id: string, 
/**
 * The code (time-based kinds); `None` for HOTP, whose code is made on
 * request.
 */
code: string | null, 
/**
 * The next code, in the last [`NEXT_CODE_SECONDS`] of a period.
 */
next: string | null, 
/**
 * Unix seconds the code became valid (time-based kinds).
 */
validFrom: number | null, 
/**
 * Unix seconds the code stops being valid (time-based kinds).
 */
validUntil: number | null, 
/**
 * Why no code can be made (settings a newer version wrote, say).
 */
error: string | null, };
export type Added = { 
/**
 * The account.
 */
account: AccountView, 
/**
 * Its current code (time-based kinds).
 */
code: AccountCode, };
export type FoundAccount = { 
/**
 * Its place in the list, to pick it.
 */
index: number, 
/**
 * The service.
 */
issuer: string, 
/**
 * The account at the service.
 */
name: string, 
/**
 * `totp`, `hotp` or `steam`.
 */
kind: OtpKind, 
/**
 * The vault already has it.
 */
duplicate: boolean, 
/**
 * Unused recovery codes that come with it (from a Tessera backup).
 */
recoveryCodes: number, };
export type SeriesProgress = { 
/**
 * Codes in the export.
 */
size: number, 
/**
 * The codes not scanned yet, counting from 1 ("code 2 of 3").
 */
missing: Array<number>, };
export type ScanResult = { 
/**
 * Accounts ready to add.
 */
found: Array<FoundAccount>, 
/**
 * The export being collected (the first still missing codes), if any.
 */
series: SeriesProgress | null, 
/**
 * Accounts found that cannot be used, and why.
 */
skipped: Array<string>, 
/**
 * What this scan saw that is not an enrollment (a web link, …).
 */
notes: Array<string>, 
/**
 * Services without an account whose recovery codes come along.
 */
recoveryServices: number, };
export type ClipboardOffer = { 
/**
 * Names this offer, for taking it (the same while the clipboard holds
 * the same thing).
 */
id: number, 
/**
 * What the clipboard holds: `link` or `image`.
 */
source: string, 
/**
 * The accounts, as "Issuer (name)".
 */
accounts: Array<string>, };
export type CameraChoice = { 
/**
 * The number to start it with.
 */
index: number, 
/**
 * Its name, as the system reports it.
 */
name: string, };
export type CameraUpdate = { "kind": "note", 
/**
 * What it is.
 */
message: string, } | { "kind": "found", 
/**
 * Everything found so far.
 */
result: ScanResult, } | { "kind": "failed", 
/**
 * Why.
 */
message: string, } | { "kind": "ended", 
/**
 * Why.
 */
message: string, };
export type ImportOutcome = { 
/**
 * The file is encrypted: ask for its password, then call
 * `import_password`.
 */
needsPassword: boolean, 
/**
 * The format can also be opened with a key file (KeePass): offer to
 * choose one beside the password.
 */
takesKeyFile: boolean, 
/**
 * The format's name, when known.
 */
format: string | null, 
/**
 * What was found, when read.
 */
result: ScanResult | null, };
export type ExportFormatView = { 
/**
 * Its id.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * What it holds and what reads it.
 */
description: string, 
/**
 * `required`, `optional` or `never`.
 */
password: "required" | "optional" | "never", 
/**
 * `file`: written by `export_file`; `qr-series`: made by
 * `export_google`.
 */
kind: "file" | "qr-series", };
export type Exported = { 
/**
 * Where.
 */
path: string, 
/**
 * How many accounts it holds.
 */
accounts: number, 
/**
 * Whether it is encrypted.
 */
encrypted: boolean, 
/**
 * What the user must be told.
 */
notes: Array<string>, };
export type GoogleExport = { 
/**
 * PNG data URLs of the QR codes, in order, when shown.
 */
images: Array<string>, 
/**
 * Where the PNG files went, when saved.
 */
folder: string | null, 
/**
 * Accounts in the series.
 */
accounts: number, 
/**
 * QR codes in the series.
 */
codes: number, 
/**
 * What the user must be told.
 */
notes: Array<string>, };
export type Copied = { 
/**
 * The code now on the clipboard.
 */
code: string, 
/**
 * Seconds until it is cleared (`None`: never).
 */
clearsInSeconds: number | null, };
export type CodeSlot = { 
/**
 * Its place in the set.
 */
index: number, 
/**
 * The code masked ([`tessera_core::recovery::mask`]).
 */
shape: string, 
/**
 * Unix seconds when saved.
 */
addedAt: number, 
/**
 * Unix seconds when used.
 */
usedAt: number | null, 
/**
 * Unix seconds when a newer set replaced it (it is history).
 */
replacedAt: number | null, };
export type RecoveryView = { 
/**
 * The set's entry id.
 */
id: string, 
/**
 * Its account's id, when it belongs to one.
 */
accountId: string | null, 
/**
 * The service.
 */
issuer: string, 
/**
 * The account at the service.
 */
name: string, 
/**
 * How the set is named.
 */
label: string, 
/**
 * The service issues a new code for each one used.
 */
rotating: boolean, 
/**
 * Where the codes came from.
 */
note: string, 
/**
 * Codes still good.
 */
unused: number, 
/**
 * Codes of the current set (unused and used; not replaced ones).
 */
total: number, 
/**
 * Codes of older sets a newer one replaced, kept as history.
 */
replaced: number, 
/**
 * Warnings (few left, a replacement missing).
 */
warnings: Array<string>, 
/**
 * Every code, masked: unused first, then used, then replaced.
 */
codes: Array<CodeSlot>, };
export type Used = { 
/**
 * The set, as saved.
 */
entry: RecoveryView, 
/**
 * The service issues a new code for each one used: ask for it.
 */
replacementExpected: boolean, };
export type ParsedCodes = { 
/**
 * Each code's shape.
 */
shapes: Array<string>, 
/**
 * The codes themselves, for the preview: the user just pasted them
 * into the page, so they tell the page nothing new. Masked once saved.
 */
codes: Array<string>, 
/**
 * Codes of the set they would join (not replaced ones).
 */
current: number, 
/**
 * Pasted codes already among those.
 */
shared: number, 
/**
 * Ask whether they replace that set or are more codes for it (they
 * share none with it).
 */
askReplace: boolean, 
/**
 * That set's service gives a new code for each one used (new codes
 * are replacements, added).
 */
rotating: boolean, };
export type BackupStatus = { 
/**
 * Whether a backup follows every change.
 */
enabled: boolean, 
/**
 * The folder they go to, when on.
 */
folder: string | null, 
/**
 * How many automatic backups are kept (the default when off).
 */
keep: number, 
/**
 * The most that can be kept.
 */
maxKeep: number, 
/**
 * Unix seconds the newest backup there was written, if any.
 */
lastBackup: number | null, 
/**
 * Why the last automatic backup could not be written, if it could not.
 */
problem: string | null, };
export type BackupView = { 
/**
 * The file (what a restore names).
 */
path: string, 
/**
 * Its name, for people.
 */
name: string, 
/**
 * Unix seconds it was written.
 */
writtenAt: number, 
/**
 * Written by Tessera after a change (else put there by hand).
 */
automatic: boolean, 
/**
 * Bytes.
 */
size: number, 
/**
 * Accounts it holds, when it opens with the vault's key.
 */
accounts: number | null, 
/**
 * Recovery codes not used yet it holds, likewise.
 */
recoveryCodes: number | null, 
/**
 * Why it does not open with the vault's key (written before a
 * password change: restoring it needs the password it had).
 */
unreadable: string | null, };
export type Restored = { 
/**
 * Where the vault as it was before went.
 */
savedBefore: string, };
export type SyncView = { 
/**
 * Whether this vault syncs here.
 */
enabled: boolean, 
/**
 * The folder the user's sync tool carries, when on.
 */
folder: string | null, 
/**
 * This computer's name for the other devices, when on.
 */
name: string | null, 
/**
 * The name offered when turning sync on: the host's.
 */
suggestedName: string, 
/**
 * Unix seconds of the last sync, if any.
 */
lastSync: number | null, 
/**
 * The devices whose files the last sync saw, this computer among them.
 */
devices: Array<DeviceView>, 
/**
 * What the last sync brought in.
 */
merged: MergeView, 
/**
 * Files the last sync refused, one line each.
 */
refused: Array<string>, 
/**
 * Warnings of the last sync.
 */
warnings: Array<string>, 
/**
 * Why the last sync in the background failed, if it did.
 */
problem: string | null, };
export type DeviceView = { 
/**
 * Its id (its file's name).
 */
id: string, 
/**
 * Its name for people (empty when its file has not told it yet).
 */
name: string, 
/**
 * Unix seconds its file last changed.
 */
fileChanged: number | null, 
/**
 * Whether it is this computer.
 */
thisComputer: boolean, };
export type MergeView = { 
/**
 * Device files read and merged.
 */
files: number, 
/**
 * Conflict copies merged and removed.
 */
conflictCopies: number, 
/**
 * Accounts that came in.
 */
accountsAdded: number, 
/**
 * Accounts removed elsewhere.
 */
accountsRemoved: number, 
/**
 * Accounts changed.
 */
accountsChanged: number, 
/**
 * Recovery codes marked used elsewhere.
 */
codesUsed: number, };
export type Preferences = { 
/**
 * Minutes without input before locking; 0 = never.
 */
autoLockMinutes: number, 
/**
 * Lock when the desktop session locks or the machine suspends.
 */
lockOnSystemLock: boolean, 
/**
 * Seconds before a copied code is cleared; 0 = never.
 */
clipboardClearSeconds: number, 
/**
 * Seconds added to the system clock when making codes.
 */
timeOffsetSeconds: number, 
/**
 * List order after favourites.
 */
sortOrder: SortOrder, 
/**
 * Unix seconds when the reminder to back up was last dismissed; 0 =
 * never. Missing from older pages' requests: then never.
 */
backupReminderDismissedAt: number, };
export type Shade = "light" | "dark";
export type SortOrder = "issuer" | "name" | "recent" | "manual";
export type DesktopSettings = { 
/**
 * Light, dark, or the desktop's choice.
 */
theme: Theme, 
/**
 * Closing the window leaves Tessera in the tray instead of quitting.
 */
closeToTray: boolean, 
/**
 * The global shortcut that opens the quick-pick window ("Ctrl+Alt+K");
 * none: no shortcut.
 */
quickPickShortcut: string | null, };
export type Theme = "System" | "Light" | "Dark";
export type ShortcutStatus = { 
/**
 * Off, active, failed or unsupported.
 */
state: ShortcutState, 
/**
 * One line for Settings.
 */
message: string, };
export type ShortcutState = "off" | "active" | "failed" | "unsupported";
export type QuickPickInfo = { 
/**
 * Why Shift+Enter cannot type now; none: it types.
 */
typingProblem: string | null, };
export type ErrorKind = "notFound" | "ambiguous" | "duplicate" | "invalid" | "wrongPassword" | "passwordRequired" | "busy" | "keyring" | "badFile" | "io" | "locked" | "declined" | "rolledBack";
export type CommandError = { 
/**
 * What kind of failure, stable for the page to match on.
 */
kind: ErrorKind, 
/**
 * One line for people.
 */
message: string, };
export type ManualAccount = { 
/**
 * The service.
 */
issuer: string, 
/**
 * The account at the service.
 */
name: string, 
/**
 * The secret in base32, as the site shows it.
 */
secret: string, 
/**
 * `totp`, `hotp` or `steam`.
 */
kind: OtpKind, 
/**
 * `sha1`, `sha256` or `sha512` (any case).
 */
algorithm: Algorithm, 
/**
 * Code length (ignored for Steam).
 */
digits: number, 
/**
 * Seconds per code (TOTP).
 */
period: number, 
/**
 * HOTP counter, as text.
 */
counter: string, };
export type EditFields = { 
/**
 * New issuer.
 */
issuer?: string, 
/**
 * New account name.
 */
name?: string, 
/**
 * New notes.
 */
notes?: string, 
/**
 * Favourite or not.
 */
favourite?: boolean, 
/**
 * New tags.
 */
tags?: Array<string>, };
export type RecoveryTarget = { "kind": "entry", 
/**
 * The set's id.
 */
id: string, } | { "kind": "account", 
/**
 * The account's id.
 */
id: string, } | { "kind": "service", 
/**
 * The service.
 */
issuer: string, 
/**
 * The account at the service.
 */
name: string, };
export type CreateVault = { 
/**
 * Unlock with this password (none: keyring only).
 */
password: string | null, 
/**
 * Unlock through the OS keyring too.
 */
keyring: boolean, };
export type PasswordEntry = { 
/**
 * The password.
 */
password: string, 
/**
 * Open the file even if it is older than one this computer opened
 * (the user chose to go back to it).
 */
acceptOlder?: boolean, };
export type KeyringEntry = { 
/**
 * Open the file even if it is older than one this computer opened.
 */
acceptOlder?: boolean, };
export type ChangePassword = { 
/**
 * The current password.
 */
current: string | null, 
/**
 * The new password.
 */
new: string, };
export type SetKeyring = { 
/**
 * On or off.
 */
enabled: boolean, };
export type AddUri = { 
/**
 * The URI.
 */
uri: string, 
/**
 * Add it even when the vault has the same account.
 */
force: boolean, };
export type AddManual = { 
/**
 * The account.
 */
account: ManualAccount, 
/**
 * Add it even when the vault has the same account.
 */
force: boolean, };
export type EditAccount = { 
/**
 * The account's id.
 */
id: string, 
/**
 * What to change.
 */
edit: EditFields, };
export type AccountRef = { 
/**
 * The account's id.
 */
id: string, };
export type ScanScreen = { 
/**
 * Seconds to wait, with the window hidden, before capturing (to open
 * a menu or scroll to the code); at most [`MAX_DELAY_SECONDS`].
 */
delaySeconds: number, };
export type ScanRegion = { 
/**
 * The left edge.
 */
x: number, 
/**
 * The top edge.
 */
y: number, 
/**
 * The width.
 */
width: number, 
/**
 * The height.
 */
height: number, };
export type TakeClipboard = { 
/**
 * The offer's id.
 */
id: number, };
export type AddScanned = { 
/**
 * Their indexes in the found list.
 */
indexes: Array<number>, };
export type StartCamera = { 
/**
 * Its number, from `list_cameras`.
 */
index: number, };
export type ImportPassword = { 
/**
 * The password; empty when a key file alone opens the file.
 */
password: string, 
/**
 * The bytes of the key file the user chose (KeePass), if any.
 */
keyFile?: Array<number>, };
export type ExportFile = { 
/**
 * The format's id.
 */
format: string, 
/**
 * The export password (encrypted formats).
 */
password: string | null, };
export type ExportGoogle = { 
/**
 * Save PNG files to a new private folder instead of showing them.
 */
save: boolean, };
export type CodesText = { 
/**
 * The text, as the service showed it.
 */
text: string, 
/**
 * Where they would go, to compare them with the set kept there.
 */
target?: RecoveryTarget, };
export type RecoveryAdd = { 
/**
 * Where they go.
 */
target: RecoveryTarget, 
/**
 * The pasted block.
 */
text: string, 
/**
 * The service issues a new code for each one used.
 */
rotating: boolean, 
/**
 * A note replacing the set's.
 */
note: string | null, 
/**
 * The codes are a newly issued set replacing the kept one (which
 * stays as history, marked replaced), not more codes for it.
 */
replace?: boolean, };
export type CodeRef = { 
/**
 * The set's id.
 */
id: string, 
/**
 * The code's place in the set.
 */
index: number, 
/**
 * Its masked shape, as listed.
 */
shape: string, };
export type RecoveryRemove = { 
/**
 * The set's id.
 */
id: string, 
/**
 * The code's place, or none for the whole set.
 */
index: number | null, 
/**
 * Its masked shape, as listed.
 */
shape: string | null, };
export type EntryRef = { 
/**
 * The set's id.
 */
id: string, };
export type RecoveryEdit = { 
/**
 * The set's id.
 */
id: string, 
/**
 * Whether its service rotates codes.
 */
rotating: boolean | null, 
/**
 * Its note.
 */
note: string | null, };
export type SetAutostart = { 
/**
 * Write the autostart entry (true) or remove it (false).
 */
enabled: boolean, };
export type BackupKeep = { 
/**
 * 1 to the core's `MAX_KEEP`.
 */
keep: number, };
export type RestoreBackup = { 
/**
 * Its path, as listed.
 */
path: string, 
/**
 * The password the vault had when it was written, for one written
 * before a password change.
 */
password: string | null, };
export type EnableSync = { 
/**
 * A name for people ("laptop").
 */
name: string | null, };
export type JoinSync = { 
/**
 * The vault's password (it opens the other machines' files).
 */
password: string, 
/**
 * This computer's name for the others (none: the host's).
 */
name: string | null, };

export interface Commands {
  app_info: { request: null; answer: AppInfo };
  vault_status: { request: null; answer: VaultStatus };
  create_vault: { request: CreateVault; answer: VaultStatus };
  unlock: { request: PasswordEntry; answer: VaultStatus };
  unlock_with_keyring: { request: KeyringEntry; answer: VaultStatus };
  lock: { request: null; answer: VaultStatus };
  change_password: { request: ChangePassword; answer: VaultStatus };
  set_keyring: { request: SetKeyring; answer: VaultStatus };
  activity: { request: null; answer: null };
  list_accounts: { request: null; answer: AccountList };
  codes: { request: null; answer: Codes };
  add_account_uri: { request: AddUri; answer: Added };
  add_account_manual: { request: AddManual; answer: Added };
  edit_account: { request: EditAccount; answer: AccountView };
  remove_account: { request: AccountRef; answer: string };
  hotp_next: { request: AccountRef; answer: AccountCode };
  copy_code: { request: AccountRef; answer: Copied };
  account_qr: { request: AccountRef; answer: string };
  scan_screen: { request: ScanScreen; answer: ScanResult };
  capture_screen: { request: ScanScreen; answer: string };
  scan_region: { request: ScanRegion; answer: ScanResult };
  clipboard_offer: { request: null; answer: ClipboardOffer | null };
  take_clipboard: { request: TakeClipboard; answer: ScanResult };
  scan_clipboard: { request: null; answer: ScanResult };
  scan_image: { request: Uint8Array; answer: ScanResult };
  add_scanned: { request: AddScanned; answer: Array<Added> };
  scan_reset: { request: null; answer: null };
  list_cameras: { request: null; answer: Array<CameraChoice> };
  start_camera: { request: StartCamera; answer: null };
  stop_camera: { request: null; answer: null };
  camera_preview_drawn: { request: null; answer: null };
  import_file: { request: Uint8Array; answer: ImportOutcome };
  import_password: { request: ImportPassword; answer: ImportOutcome };
  export_formats: { request: null; answer: Array<ExportFormatView> };
  export_file: { request: ExportFile; answer: Exported };
  export_google: { request: ExportGoogle; answer: GoogleExport };
  recovery_list: { request: null; answer: Array<RecoveryView> };
  recovery_parse: { request: CodesText; answer: ParsedCodes };
  recovery_add: { request: RecoveryAdd; answer: RecoveryView };
  recovery_use: { request: CodeRef; answer: Used };
  recovery_unuse: { request: CodeRef; answer: RecoveryView };
  recovery_remove: { request: RecoveryRemove; answer: null };
  recovery_reveal: { request: EntryRef; answer: Array<string> };
  recovery_copy: { request: CodeRef; answer: number | null };
  recovery_edit: { request: RecoveryEdit; answer: RecoveryView };
  get_settings: { request: null; answer: Preferences };
  set_settings: { request: Preferences; answer: Preferences };
  get_desktop_settings: { request: null; answer: DesktopSettings };
  set_desktop_settings: { request: DesktopSettings; answer: DesktopSettings };
  get_autostart: { request: null; answer: boolean };
  current_theme: { request: null; answer: Shade };
  set_autostart: { request: SetAutostart; answer: boolean };
  shortcut_status: { request: null; answer: ShortcutStatus };
  quick_pick_ready: { request: null; answer: QuickPickInfo };
  quick_pick_close: { request: null; answer: null };
  quick_pick_unlock: { request: null; answer: null };
  quick_pick_type: { request: AccountRef; answer: null };
  backup_status: { request: null; answer: BackupStatus };
  enable_backups: { request: BackupKeep; answer: BackupStatus };
  set_backup_keep: { request: BackupKeep; answer: BackupStatus };
  disable_backups: { request: null; answer: BackupStatus };
  list_backups: { request: null; answer: Array<BackupView> };
  restore_backup: { request: RestoreBackup; answer: Restored };
  sync_status: { request: null; answer: SyncView };
  enable_sync: { request: EnableSync; answer: SyncView };
  sync_now: { request: null; answer: SyncView };
  disable_sync: { request: null; answer: SyncView };
  join_sync: { request: JoinSync; answer: VaultStatus };
}
