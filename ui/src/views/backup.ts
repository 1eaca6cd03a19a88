// Automatic backups: the Settings section (on, off, the folder Rust asks
// for in a native chooser, how many to keep, restoring one picked from the
// folder after a confirmation that names it) and the accounts screen's
// reminder when there is no recent backup. The backups themselves are
// written by Rust after every change.
import * as api from "../api";
import type { BackupStatus, BackupView } from "../api";
import { el } from "../dom";
import type { Verdict } from "../lib/validate";
import { kib, localTime, nowSeconds, plural, when } from "../lib/when";
import type { App } from "./screen";
import { busy, confirmDialog, formError, promptDialog, textField } from "./widgets";

/** Days without a backup before the accounts screen reminds the user, and between reminders. */
export const REMINDER_DAYS = 30;
const REMINDER_SECONDS = REMINDER_DAYS * 24 * 60 * 60;

/** Whether the accounts screen showed the reminder since the app started. */
let remindedThisRun = false;

/** Whether the user dismissed a reminder in the last REMINDER_DAYS (0: never). */
export function dismissedLately(dismissedAt: number, now: number): boolean {
  return dismissedAt > 0 && now - dismissedAt < REMINDER_SECONDS;
}

/**
 * What the reminder says, or null when none is due: backups are off, or
 * none was written in REMINDER_DAYS, and the user has not dismissed a
 * reminder in that time.
 */
export function reminderDue(
  status: Pick<BackupStatus, "enabled" | "lastBackup">,
  dismissedAt: number,
  now: number,
): string | null {
  if (dismissedLately(dismissedAt, now)) {
    return null;
  }
  if (!status.enabled) {
    return "Your accounts are only in this vault: if this computer’s disk fails, they are gone. Turn on automatic backups to a folder on another disk.";
  }
  if (status.lastBackup === null || now - status.lastBackup >= REMINDER_SECONDS) {
    return `No backup was written in the last ${REMINDER_DAYS} days: check the backup folder is still there.`;
  }
  return null;
}

/** How many backups to keep, as typed: a whole number from 1 to `max`. */
export function parseKeep(text: string, max: number): number | Verdict {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    return `Keep 1 to ${max} backups.`;
  }
  return value;
}

/** What a backup holds, for people: "3 accounts and 2 recovery codes". */
function holds(backup: BackupView): string {
  if (backup.accounts === null || backup.recoveryCodes === null) {
    return "contents not readable with the current password (written before a password change)";
  }
  return `${plural(backup.accounts, "account")} and ${plural(backup.recoveryCodes, "recovery code")}`;
}

/** One line of the restore list. */
export function backupLine(backup: BackupView, now: number): string {
  const origin = backup.automatic ? "automatic" : "put there by hand";
  return `${when(backup.writtenAt, now)} · ${holds(backup)} · ${kib(backup.size)} · ${origin}`;
}

/** The confirmation's question, naming the backup by its time and what it holds. */
export function restoreQuestion(backup: BackupView): string {
  return `Restore the backup written ${localTime(backup.writtenAt)}, with ${holds(backup)}?`;
}

/**
 * Restores `backup` once the user confirms (asking for the password it had
 * if it was written before a password change); resolves to where the vault
 * as it was went, or null if nothing was restored.
 */
async function restore(app: App, backup: BackupView): Promise<string | null> {
  const yes = await confirmDialog({
    title: "Restore this backup?",
    body: [
      el("p", { "data-testid": "restore-question" }, restoreQuestion(backup)),
      el(
        "p",
        {},
        "Every account, recovery code and setting in the vault is replaced by the backup’s. The vault as it is now is backed up first.",
      ),
      el("p", { class: "muted" }, el("code", {}, backup.name)),
    ],
    confirm: "Restore",
    danger: true,
    testid: "restore-dialog",
  });
  if (!yes) {
    return null;
  }
  let password: string | null = null;
  if (backup.unreadable !== null) {
    password = await promptDialog({
      title: "The backup’s password",
      body: [el("p", {}, "This backup was written before the password was changed: give the password the vault had then.")],
      label: "Password",
      confirm: "Restore",
      inputType: "password",
      testid: "restore-password",
      check: (value) => (value === "" ? "Give the password." : null),
    });
    if (password === null) {
      return null;
    }
  }
  const restored = await api.restoreBackup(backup.path, password);
  app.settings = await api.getSettings();
  await app.refreshAccounts();
  return restored.savedBefore;
}

/** The list to restore from, newest first. */
function restoreList(app: App, error: HTMLElement, done: HTMLElement, after: () => void): HTMLElement {
  const list = el("ul", { class: "backup-list", "data-testid": "backup-list", "aria-label": "Backups" });
  const fill = (backups: BackupView[]): void => {
    const now = nowSeconds();
    if (backups.length === 0) {
      list.replaceChildren(el("li", { class: "muted" }, "No backup in the folder yet."));
      return;
    }
    list.replaceChildren(
      ...backups.map((backup) => {
        const button = el("button", { type: "button", "data-testid": "backup-restore" }, "Restore…");
        button.setAttribute("aria-label", `Restore the backup written ${localTime(backup.writtenAt)}`);
        button.addEventListener("click", () => {
          error.textContent = "";
          void busy(list, async () => {
            try {
              const before = await restore(app, backup);
              if (before !== null) {
                done.replaceChildren("Restored. The vault as it was is in ", el("code", { "data-testid": "backup-saved-before" }, before));
                app.toast("Backup restored");
                after();
              }
            } catch (e) {
              error.textContent = api.errorText(e);
            }
          });
        });
        return el(
          "li",
          { class: "backup-item", "data-testid": "backup-item" },
          el("span", { "data-testid": "backup-line" }, backupLine(backup, now)),
          button,
        );
      }),
    );
  };
  api
    .listBackups()
    .then(fill)
    .catch((e: unknown) => {
      error.textContent = api.errorText(e);
    });
  return list;
}

/** The Settings section: on or off, where, how many kept, the last backup, restoring. */
export function backupSection(app: App, heading: HTMLElement): HTMLElement {
  const section = el("section", { class: "card", "aria-labelledby": heading.id, "data-testid": "backup-section" }, heading);
  const body = el("div", { class: "stack" });
  const error = formError("backup-error");
  const done = el("p", { role: "status", "data-testid": "backup-done" });
  section.append(body, error, done);

  const render = (status: BackupStatus): void => {
    const now = nowSeconds();
    const state = el(
      "p",
      { "data-testid": "backup-state" },
      status.enabled
        ? `After every change an encrypted copy of the vault is written to the folder below; the newest ${plural(status.keep, "backup")} are kept.`
        : "Backups are off: the vault is the only copy of your accounts.",
    );
    const parts: HTMLElement[] = [state];
    if (status.enabled && status.folder !== null) {
      parts.push(el("p", {}, el("code", { "data-testid": "backup-folder" }, status.folder)));
      parts.push(
        el(
          "p",
          { "data-testid": "backup-last" },
          status.lastBackup === null ? "No backup in the folder yet." : `Last backup: ${when(status.lastBackup, now)}`,
        ),
      );
    }
    if (status.problem !== null) {
      parts.push(el("p", { class: "warn-text", "data-testid": "backup-problem" }, `The last backup failed: ${status.problem}`));
    }
    const keep = textField({
      label: "Backups to keep",
      hint: `The newest are kept, up to ${status.maxKeep}; backups you put in the folder yourself are never deleted.`,
      value: String(status.keep),
      testid: "backup-keep",
      attrs: { inputmode: "numeric", autocomplete: "off" },
    });
    const keptCount = (): number | null => {
      const parsed = parseKeep(keep.input.value, status.maxKeep);
      keep.show(typeof parsed === "number" ? null : parsed);
      return typeof parsed === "number" ? parsed : null;
    };
    keep.input.addEventListener("input", () => void keptCount());
    keep.input.addEventListener("change", () => {
      const count = keptCount();
      if (status.enabled && count !== null && count !== status.keep) {
        run(() => api.setBackupKeep(count), "Saved");
      }
    });
    parts.push(keep.wrap);
    const enable = el(
      "button",
      { type: "button", class: status.enabled ? "" : "primary", "data-testid": "backup-enable" },
      status.enabled ? "Change folder…" : "Turn on…",
    );
    enable.addEventListener("click", () => {
      const count = keptCount();
      if (count !== null) {
        run(() => api.enableBackups(count), null);
      }
    });
    const actions = el("div", { class: "actions start" }, enable);
    if (status.enabled) {
      const disable = el("button", { type: "button", "data-testid": "backup-disable" }, "Turn off");
      disable.addEventListener("click", () => run(() => api.disableBackups(), "Backups are off"));
      const showList = el("button", { type: "button", "data-testid": "backup-show-list" }, "Restore a backup…");
      showList.addEventListener("click", () => {
        showList.disabled = true;
        body.append(restoreList(app, error, done, () => void load()));
      });
      actions.append(disable, showList);
    }
    parts.push(actions);
    body.replaceChildren(...parts);
  };

  const run = (work: () => Promise<BackupStatus>, saved: string | null): void => {
    error.textContent = "";
    void busy(section, async () => {
      try {
        const status = await work();
        render(status);
        if (saved !== null) {
          app.toast(saved);
        } else if (status.enabled) {
          app.toast("Backups are on");
        }
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  };

  const load = async (): Promise<void> => {
    try {
      render(await api.backupStatus());
    } catch (e) {
      error.textContent = api.errorText(e);
    }
  };
  void load();
  return section;
}

/**
 * The accounts screen's reminder, once, when no recent backup exists and it
 * was not dismissed lately: put in `host` when due, with a button to the
 * backup settings and one to dismiss it (remembered in the preferences).
 */
export function showBackupReminder(app: App, host: HTMLElement): void {
  const settings = app.settings;
  // Dismissed lately: not even the backup folder needs reading. Shown once
  // a run: the accounts screen is built again after every other screen.
  if (settings === null || remindedThisRun || dismissedLately(settings.backupReminderDismissedAt, nowSeconds())) {
    return;
  }
  api
    .backupStatus()
    .then((status) => {
      const message = reminderDue(status, app.settings?.backupReminderDismissedAt ?? 0, nowSeconds());
      if (message === null || remindedThisRun) {
        return;
      }
      remindedThisRun = true;
      const open = el("button", { type: "button", class: "primary", "data-testid": "backup-reminder-open" }, "Set up backups");
      const dismiss = el("button", { type: "button", "data-testid": "backup-reminder-dismiss" }, "Not now");
      const note = el(
        "section",
        { class: "card reminder", role: "note", "aria-label": "Backups", "data-testid": "backup-reminder" },
        el("p", {}, message),
        el("div", { class: "actions start" }, open, dismiss),
      );
      open.addEventListener("click", () => app.goSettings("backups"));
      dismiss.addEventListener("click", () => {
        const current = app.settings;
        if (current === null) {
          return;
        }
        void busy(note, async () => {
          try {
            app.settings = await api.setSettings({ ...current, backupReminderDismissedAt: nowSeconds() });
            note.remove();
          } catch (e) {
            app.toast(api.errorText(e), "error");
          }
        });
      });
      host.replaceChildren(note);
    })
    .catch(() => undefined);
}
