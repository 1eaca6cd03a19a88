// Settings: locking, the clipboard, a time offset for a wrong system clock,
// the password, the keyring, automatic backups and sync. Each choice is
// saved as it is made.
import * as api from "../api";
import type { Settings } from "../api";
import { el } from "../dom";
import { validateNewPassword, validatePassword } from "../lib/validate";
import { backupSection } from "./backup";
import { quickPickSection } from "./quick-pick-settings";
import type { App, Screen, SettingsSection } from "./screen";
import { syncSection } from "./sync";
import { appearanceSection } from "./theme-settings";
import { exportScreen, importScreen } from "./transfer";
import { busy, checkbox, formError, screenHeader, selectField, textField } from "./widgets";

const AUTO_LOCK: [number, string][] = [
  [1, "1 minute"],
  [2, "2 minutes"],
  [5, "5 minutes"],
  [10, "10 minutes"],
  [15, "15 minutes"],
  [30, "30 minutes"],
  [60, "1 hour"],
  [0, "Never"],
];
const CLIPBOARD: [number, string][] = [
  [5, "5 seconds"],
  [10, "10 seconds"],
  [15, "15 seconds"],
  [30, "30 seconds"],
  [60, "1 minute"],
  [120, "2 minutes"],
  [300, "5 minutes"],
  [0, "Never"],
];
/** Largest time offset (src-tauri/settings.rs). */
const MAX_OFFSET = 10 * 365 * 24 * 60 * 60;

/** The choices, plus the current value if it is not one of them. */
function choices(list: [number, string][], current: number, unit: string): [string, string][] {
  const out = list.map(([v, label]): [string, string] => [String(v), label]);
  if (!list.some(([v]) => v === current)) {
    out.unshift([String(current), `${current} ${unit}`]);
  }
  return out;
}

function section(title: string, id: string, ...children: (Node | string)[]): HTMLElement {
  return el("section", { class: "card", "aria-labelledby": id }, el("h2", { id }, title), ...children);
}

/**
 * Starting at login, and closing to the tray. The login switch shows
 * whether the autostart entry is there (read from the file each time
 * Settings opens), not a remembered choice.
 */
function startupSection(app: App): HTMLElement {
  const atLogin = checkbox({
    label: "Start Tessera when I log in",
    checked: false,
    testid: "start-at-login",
    explain: "When closing the window keeps Tessera in the tray, it starts there rather than as a window.",
  });
  atLogin.input.disabled = true;
  void api.getAutostart().then(
    (on) => {
      atLogin.input.checked = on;
      atLogin.input.disabled = false;
    },
    (e: unknown) => app.toast(api.errorText(e), "error"),
  );
  atLogin.input.addEventListener("change", () => {
    const wanted = atLogin.input.checked;
    atLogin.input.disabled = true;
    api.setAutostart(wanted).then(
      (on) => {
        atLogin.input.checked = on;
        app.toast(on ? "Tessera will start when you log in" : "Tessera will not start when you log in");
      },
      (e: unknown) => {
        atLogin.input.checked = !wanted;
        app.toast(api.errorText(e), "error");
      },
    ).finally(() => {
      atLogin.input.disabled = false;
    });
  });
  // Closing to the tray: a desktop setting (src-tauri/desktop_settings.rs),
  // saved with the others as they are now.
  const toTray = checkbox({
    label: "Keep Tessera in the tray when the window closes",
    checked: false,
    testid: "close-to-tray",
    explain: "Quit from the tray menu or with Ctrl+Q. Off: closing the window quits.",
  });
  toTray.input.disabled = true;
  void api.getDesktopSettings().then(
    (settings) => {
      toTray.input.checked = settings.closeToTray;
      toTray.input.disabled = false;
    },
    (e: unknown) => app.toast(api.errorText(e), "error"),
  );
  toTray.input.addEventListener("change", () => {
    const wanted = toTray.input.checked;
    toTray.input.disabled = true;
    api
      .getDesktopSettings()
      .then((current) => api.setDesktopSettings({ ...current, closeToTray: wanted }))
      .then(
        (saved) => {
          toTray.input.checked = saved.closeToTray;
          app.toast("Saved");
        },
        (e: unknown) => {
          toTray.input.checked = !wanted;
          app.toast(api.errorText(e), "error");
        },
      )
      .finally(() => {
        toTray.input.disabled = false;
      });
  });
  return section("Start and close", "startup-title", atLogin.wrap, toTray.wrap);
}

export function settingsScreen(app: App, start?: SettingsSection): Screen {
  const current: Settings = app.settings ?? {
    autoLockMinutes: 5,
    lockOnSystemLock: true,
    clipboardClearSeconds: 30,
    timeOffsetSeconds: 0,
    sortOrder: "issuer",
    backupReminderDismissedAt: 0,
  };
  const save = async (change: Partial<Settings>): Promise<void> => {
    const next = { ...(app.settings ?? current), ...change };
    try {
      app.settings = await api.setSettings(next);
      app.toast("Saved");
    } catch (e) {
      app.toast(api.errorText(e), "error");
    }
  };

  // Locking.
  const autoLock = selectField({
    label: "Lock after this long without use",
    choices: choices(AUTO_LOCK, current.autoLockMinutes, "minutes"),
    value: String(current.autoLockMinutes),
    testid: "auto-lock",
  });
  autoLock.input.addEventListener("change", () => void save({ autoLockMinutes: Number(autoLock.input.value) }));
  const onSystemLock = checkbox({
    label: "Lock when the session locks or the computer sleeps",
    checked: current.lockOnSystemLock,
    testid: "lock-on-system-lock",
  });
  onSystemLock.input.addEventListener("change", () => void save({ lockOnSystemLock: onSystemLock.input.checked }));
  const lockNow = el("button", { type: "button", "data-testid": "lock-now" }, "Lock now (Ctrl+L)");
  lockNow.addEventListener("click", () => void app.lockNow("user"));

  // Clipboard.
  const clipboard = selectField({
    label: "Clear a copied code after",
    hint: "Only if the clipboard still holds the code: anything you copied since is left alone.",
    choices: choices(CLIPBOARD, current.clipboardClearSeconds, "seconds"),
    value: String(current.clipboardClearSeconds),
    testid: "clipboard-clear",
  });
  clipboard.input.addEventListener("change", () => void save({ clipboardClearSeconds: Number(clipboard.input.value) }));

  // Time.
  const offset = textField({
    label: "Time offset (seconds)",
    hint: "If codes are refused because this computer’s clock is wrong and you cannot fix it, add the difference here (negative if the clock is ahead).",
    value: String(current.timeOffsetSeconds),
    testid: "time-offset",
    attrs: { inputmode: "numeric", autocomplete: "off" },
  });
  const checkOffset = (): number | null => {
    const text = offset.input.value.trim();
    const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
    const ok = Number.isSafeInteger(value) && Math.abs(value) <= MAX_OFFSET;
    offset.show(ok ? null : "A whole number of seconds, at most ten years either way.");
    return ok ? value : null;
  };
  offset.input.addEventListener("input", () => void checkOffset());
  offset.input.addEventListener("change", () => {
    const value = checkOffset();
    if (value !== null && value !== app.settings?.timeOffsetSeconds) {
      void save({ timeOffsetSeconds: value });
    }
  });

  // Password.
  const hasPassword = app.status?.hasPassword ?? false;
  const currentPassword = hasPassword
    ? textField({ label: "Current password", type: "password", testid: "current-password", attrs: { autocomplete: "current-password" } })
    : null;
  const newPassword = textField({ label: "New password", type: "password", testid: "change-new-password", attrs: { autocomplete: "new-password" } });
  const again = textField({ label: "Repeat the new password", type: "password", testid: "change-new-password-again", attrs: { autocomplete: "new-password" } });
  const passwordError = formError("password-error");
  const passwordForm = el("form", { class: "stack", novalidate: "", "aria-label": hasPassword ? "Change the password" : "Add a password" });
  if (currentPassword) {
    passwordForm.append(currentPassword.wrap);
  }
  passwordForm.append(
    newPassword.wrap,
    again.wrap,
    passwordError,
    el("button", { type: "submit", "data-testid": "change-password" }, hasPassword ? "Change password" : "Add password"),
  );
  passwordForm.addEventListener("submit", (event) => {
    event.preventDefault();
    passwordError.textContent = "";
    const verdict = validateNewPassword(newPassword.input.value, again.input.value);
    const okCurrent = currentPassword ? currentPassword.show(validatePassword(currentPassword.input.value)) : true;
    const okNew = newPassword.show(verdict.password);
    const okAgain = again.show(verdict.again);
    if (!(okCurrent && okNew && okAgain)) {
      passwordForm.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    void busy(passwordForm, async () => {
      try {
        app.status = await api.changePassword(currentPassword?.input.value ?? null, newPassword.input.value);
        for (const f of [currentPassword, newPassword, again]) {
          if (f) {
            f.input.value = "";
          }
        }
        app.toast("Password changed");
        app.goSettings();
      } catch (e) {
        passwordError.textContent = api.errorText(e);
      }
    });
  });

  // Keyring.
  const hasKeyring = app.status?.hasKeyring ?? false;
  const keyringState = el(
    "p",
    { "data-testid": "keyring-state" },
    hasKeyring
      ? "The vault opens automatically through the system keyring while you are logged in."
      : "The vault opens only with its password.",
  );
  const keyringButton = el(
    "button",
    { type: "button", "data-testid": "toggle-keyring" },
    hasKeyring ? "Stop using the keyring" : "Unlock automatically with the keyring",
  );
  const keyringError = formError("keyring-error");
  if (hasKeyring && !hasPassword) {
    keyringButton.disabled = true;
    keyringButton.title = "Add a password first: the vault needs a way to open.";
  }
  keyringButton.addEventListener("click", () => {
    keyringError.textContent = "";
    void busy(keyringSection, async () => {
      try {
        app.status = await api.setKeyring(!hasKeyring);
        app.toast(hasKeyring ? "The keyring no longer unlocks the vault" : "The keyring now unlocks the vault");
        app.goSettings();
      } catch (e) {
        keyringError.textContent = api.declined(e) ? "The keyring was left off." : api.errorText(e);
      }
    });
  });
  const keyringSection = section(
    "System keyring",
    "keyring-title",
    keyringState,
    el(
      "p",
      { class: "field-hint" },
      "The keyring hands a key to Tessera while you are logged in; programs running as you can ask for it too.",
    ),
    keyringButton,
    keyringError,
  );

  const importButton = el("button", { type: "button", "data-testid": "open-import" }, "Import from another app…");
  const exportButton = el("button", { type: "button", "data-testid": "open-export" }, "Export…");
  importButton.addEventListener("click", () => app.show(importScreen(app)));
  exportButton.addEventListener("click", () => app.show(exportScreen(app)));
  const transferSection = section(
    "Import and export",
    "transfer-title",
    el("p", { class: "field-hint" }, "Bring accounts from another authenticator’s backup, or write them out for one."),
    el("div", { class: "actions start" }, importButton, exportButton),
  );

  const backupsTitle = el("h2", { id: "backups-title", tabindex: "-1", "data-testid": "backups-title" }, "Backups");
  const sync = syncSection(app, el("h2", { id: "sync-title" }, "Sync with other computers"));

  const root = el(
    "section",
    { class: "screen settings" },
    screenHeader(app, "Settings", "settings-title"),
    appearanceSection(app),
    section("Locking", "locking-title", autoLock.wrap, onSystemLock.wrap, lockNow),
    section("Clipboard", "clipboard-title", clipboard.wrap),
    section("Time", "time-title", offset.wrap),
    section(hasPassword ? "Password" : "Add a password", "password-title", passwordForm),
    keyringSection,
    backupSection(app, backupsTitle),
    sync.section,
    transferSection,
    startupSection(app),
    quickPickSection(app),
    section("Vault file", "vault-title", el("p", {}, el("code", { "data-testid": "settings-vault-path" }, app.status?.path ?? ""))),
  );
  return {
    root,
    focus: start === "backups" ? backupsTitle : (root.querySelector<HTMLElement>("h1") ?? root),
    // A sync in the background merged something: show what it did.
    accountsChanged: sync.reload,
  };
}
