//! The app's IPC surface in one place: every command the page may call,
//! with the type of its request and of its answer. From this one list come
//! the handler Tauri dispatches with, and `ui/src/bindings.ts`, the
//! TypeScript declarations of every command and payload (generated from
//! the Rust types by ts-rs), so the page and Rust cannot drift apart.
//!
//! Each entry is checked against the command's real signature at compile
//! time. `make bindings` rewrites the TypeScript file; the test
//! `ipc::tests::the_typescript_bindings_are_current` (part of `make test`)
//! fails when it is stale.

use tauri::ipc::Invoke;
use ts_rs::TS;

/// Lists the commands. Forms, by what the page sends:
/// - `name() -> Answer`: nothing;
/// - `name(Request) -> Answer`: a JSON request (`{ request: ... }`);
/// - `name(raw) -> Answer`: the raw bytes of a file as the body;
/// - `name(Request, channels) -> Answer`: a request and the channels the
///   camera streams on (declared by hand in `ui/src/api.ts`).
macro_rules! commands {
    ($( $module:ident :: $name:ident ( $($request:tt)* ) -> $answer:ty ; )*) => {
        /// The handler that dispatches every listed command.
        pub fn handler() -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$module::$name),*]
        }

        /// The names of every command, as the page calls them.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The TypeScript map from each command to its request and answer.
        fn command_map() -> String {
            let mut map = String::from("export interface Commands {\n");
            $(
                commands!(@check $module :: $name ( $($request)* ) -> $answer);
                map.push_str(&format!(
                    "  {}: {{ request: {}; answer: {} }};\n",
                    stringify!($name),
                    commands!(@request $($request)*),
                    <$answer as TS>::name(),
                ));
            )*
            map.push_str("}\n");
            map
        }

        /// Every type the commands send or receive.
        fn declarations() -> Vec<String> {
            [$( commands!(@declare $($request)*) ),*].into_iter().flatten().collect()
        }
    };
    (@request) => { "null" };
    (@request raw) => { "Uint8Array" };
    (@request $request:ty, channels) => { <$request as TS>::name() };
    (@request $request:ty) => { <$request as TS>::name() };
    (@declare) => { None::<String> };
    (@declare raw) => { None::<String> };
    (@declare $request:ty, channels) => { Some(<$request as TS>::decl()) };
    (@declare $request:ty) => { Some(<$request as TS>::decl()) };
    // The entry's types are the command's: a mismatch does not compile.
    (@check $module:ident :: $name:ident () -> $answer:ty) => {{
        #[allow(dead_code)]
        fn check(app: tauri::AppHandle) -> impl std::future::Future<Output = crate::error::CommandResult<$answer>> {
            crate::commands::$module::$name(app)
        }
    }};
    (@check $module:ident :: $name:ident (raw) -> $answer:ty) => {{
        #[allow(dead_code)]
        fn check(app: tauri::AppHandle, request: tauri::ipc::Request<'_>) -> impl std::future::Future<Output = crate::error::CommandResult<$answer>> + '_ {
            crate::commands::$module::$name(app, request)
        }
    }};
    (@check $module:ident :: $name:ident ($request:ty, channels) -> $answer:ty) => {{
        #[allow(dead_code)]
        fn check(
            app: tauri::AppHandle,
            request: $request,
            preview: tauri::ipc::Channel<tauri::ipc::Response>,
            updates: tauri::ipc::Channel<crate::views::CameraUpdate>,
        ) -> impl std::future::Future<Output = crate::error::CommandResult<$answer>> {
            crate::commands::$module::$name(app, request, preview, updates)
        }
    }};
    (@check $module:ident :: $name:ident ($request:ty) -> $answer:ty) => {{
        #[allow(dead_code)]
        fn check(app: tauri::AppHandle, request: $request) -> impl std::future::Future<Output = crate::error::CommandResult<$answer>> {
            crate::commands::$module::$name(app, request)
        }
    }};
}

use crate::commands::{
    accounts, backup, camera, desktop, quick_pick, recovery, scan, sync, transfer, vault,
};
use crate::views::*;
use tessera_core::codes::AccountCode;
use tessera_core::preferences::Preferences;

commands! {
    app::app_info() -> AppInfo;
    vault::vault_status() -> VaultStatus;
    vault::create_vault(vault::CreateVault) -> VaultStatus;
    vault::unlock(vault::PasswordEntry) -> VaultStatus;
    vault::unlock_with_keyring(vault::KeyringEntry) -> VaultStatus;
    vault::lock() -> VaultStatus;
    vault::change_password(vault::ChangePassword) -> VaultStatus;
    vault::set_keyring(vault::SetKeyring) -> VaultStatus;
    vault::activity() -> ();
    accounts::list_accounts() -> AccountList;
    accounts::codes() -> Codes;
    accounts::add_account_uri(accounts::AddUri) -> Added;
    accounts::add_account_manual(accounts::AddManual) -> Added;
    accounts::edit_account(accounts::EditAccount) -> AccountView;
    accounts::remove_account(accounts::AccountRef) -> String;
    accounts::hotp_next(accounts::AccountRef) -> AccountCode;
    accounts::copy_code(accounts::AccountRef) -> Copied;
    accounts::account_qr(accounts::AccountRef) -> String;
    scan::scan_screen(scan::ScanScreen) -> ScanResult;
    scan::capture_screen(scan::ScanScreen) -> String;
    scan::scan_region(scan::ScanRegion) -> ScanResult;
    scan::clipboard_offer() -> Option<scan::ClipboardOffer>;
    scan::take_clipboard(scan::TakeClipboard) -> ScanResult;
    scan::scan_clipboard() -> ScanResult;
    scan::scan_image(raw) -> ScanResult;
    scan::add_scanned(scan::AddScanned) -> Vec<Added>;
    scan::scan_reset() -> ();
    camera::list_cameras() -> Vec<CameraChoice>;
    camera::start_camera(camera::StartCamera, channels) -> ();
    camera::stop_camera() -> ();
    camera::camera_preview_drawn() -> ();
    transfer::import_file(raw) -> ImportOutcome;
    transfer::import_password(transfer::ImportPassword) -> ImportOutcome;
    transfer::export_formats() -> Vec<ExportFormatView>;
    transfer::export_file(transfer::ExportFile) -> Exported;
    transfer::export_google(transfer::ExportGoogle) -> GoogleExport;
    recovery::recovery_list() -> Vec<RecoveryView>;
    recovery::recovery_parse(recovery::CodesText) -> ParsedCodes;
    recovery::recovery_add(recovery::RecoveryAdd) -> RecoveryView;
    recovery::recovery_use(recovery::CodeRef) -> Used;
    recovery::recovery_unuse(recovery::CodeRef) -> RecoveryView;
    recovery::recovery_remove(recovery::RecoveryRemove) -> ();
    recovery::recovery_reveal(recovery::EntryRef) -> Vec<String>;
    recovery::recovery_copy(recovery::CodeRef) -> Option<u32>;
    recovery::recovery_edit(recovery::RecoveryEdit) -> RecoveryView;
    settings::get_settings() -> Preferences;
    settings::set_settings(Preferences) -> Preferences;
    desktop::get_desktop_settings() -> crate::desktop_settings::DesktopSettings;
    desktop::set_desktop_settings(crate::desktop_settings::DesktopSettings) -> crate::desktop_settings::DesktopSettings;
    desktop::get_autostart() -> bool;
    theme::current_theme() -> crate::theme::Shade;
    desktop::set_autostart(desktop::SetAutostart) -> bool;
    quick_pick::shortcut_status() -> crate::global_shortcut::ShortcutStatus;
    quick_pick::quick_pick_ready() -> quick_pick::QuickPickInfo;
    quick_pick::quick_pick_close() -> ();
    quick_pick::quick_pick_unlock() -> ();
    quick_pick::quick_pick_type(accounts::AccountRef) -> ();
    backup::backup_status() -> BackupStatus;
    backup::enable_backups(backup::BackupKeep) -> BackupStatus;
    backup::set_backup_keep(backup::BackupKeep) -> BackupStatus;
    backup::disable_backups() -> BackupStatus;
    backup::list_backups() -> Vec<BackupView>;
    backup::restore_backup(backup::RestoreBackup) -> Restored;
    sync::sync_status() -> SyncView;
    sync::enable_sync(sync::EnableSync) -> SyncView;
    sync::sync_now() -> SyncView;
    sync::disable_sync() -> SyncView;
    sync::join_sync(sync::JoinSync) -> VaultStatus;
}

/// Every answer type, and the types they are built from, declared once.
fn answer_declarations() -> Vec<String> {
    vec![
        AppInfo::decl(),
        VaultStatus::decl(),
        AccountView::decl(),
        AccountList::decl(),
        LockReason::decl(),
        Codes::decl(),
        AccountCode::decl(),
        Added::decl(),
        tessera_core::inbox::FoundAccount::decl(),
        tessera_core::inbox::SeriesProgress::decl(),
        ScanResult::decl(),
        scan::ClipboardOffer::decl(),
        CameraChoice::decl(),
        CameraUpdate::decl(),
        ImportOutcome::decl(),
        ExportFormatView::decl(),
        Exported::decl(),
        GoogleExport::decl(),
        Copied::decl(),
        CodeSlot::decl(),
        RecoveryView::decl(),
        Used::decl(),
        ParsedCodes::decl(),
        BackupStatus::decl(),
        BackupView::decl(),
        Restored::decl(),
        SyncView::decl(),
        DeviceView::decl(),
        MergeView::decl(),
        Preferences::decl(),
        crate::theme::Shade::decl(),
        tessera_core::preferences::SortOrder::decl(),
        crate::desktop_settings::DesktopSettings::decl(),
        crate::desktop_settings::Theme::decl(),
        crate::global_shortcut::ShortcutStatus::decl(),
        crate::global_shortcut::ShortcutState::decl(),
        quick_pick::QuickPickInfo::decl(),
        tessera_core::ErrorKind::decl(),
        crate::error::CommandError::decl(),
        accounts::ManualAccount::decl(),
        accounts::EditFields::decl(),
        recovery::RecoveryTarget::decl(),
    ]
}

/// Unions of the values a Rust enum serialises to, for enums of the OTP
/// crate (which has no TypeScript derive of its own).
fn value_unions() -> String {
    use tessera_otp::{Algorithm, OtpKind};
    let union = |values: Vec<String>| {
        values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let kinds = [OtpKind::Totp, OtpKind::Hotp, OtpKind::Steam]
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    let algorithms = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
        .iter()
        .map(|a| a.as_uri_str().to_owned())
        .collect();
    format!(
        "export type OtpKind = {};\nexport type Algorithm = {};\n",
        union(kinds),
        union(algorithms)
    )
}

/// The whole of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    let mut text = String::from(
        "// Generated from the Rust types by src-tauri/ipc.rs (`make bindings`); do not edit.\n\
         // `make test` fails when this file is stale.\n\n",
    );
    text.push_str(&value_unions());
    let mut seen = std::collections::BTreeSet::new();
    for declaration in answer_declarations().into_iter().chain(declarations()) {
        if seen.insert(declaration.clone()) {
            text.push_str("export ");
            text.push_str(&declaration);
            text.push('\n');
        }
    }
    text.push('\n');
    text.push_str(&command_map());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bindings_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts")
    }

    /// `make bindings` runs this with `TESSERA_WRITE_BINDINGS=1` to rewrite
    /// the file; otherwise it fails when the file differs from the types.
    #[test]
    fn the_typescript_bindings_are_current() {
        let expected = typescript();
        if std::env::var_os("TESSERA_WRITE_BINDINGS").is_some() {
            std::fs::write(bindings_path(), &expected).unwrap();
            return;
        }
        let current = std::fs::read_to_string(bindings_path()).unwrap_or_default();
        assert!(
            current == expected,
            "ui/src/bindings.ts is stale: run `make bindings` and commit it"
        );
    }

    #[test]
    fn every_command_is_listed_once() {
        let mut names = COMMANDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }
}
