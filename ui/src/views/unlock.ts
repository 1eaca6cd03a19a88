// Unlocking: automatically through the keyring at start-up, or with the
// password. A wrong password says so and keeps what was typed. A vault file
// older than one this computer opened (a restored disk image, a copy put
// back by hand) is refused until the user chooses to open it anyway.
import * as api from "../api";
import type { VaultStatus } from "../api";
import { el } from "../dom";
import { validatePassword } from "../lib/validate";
import type { App, LockReason, Screen } from "./screen";
import { busy, formError, textField } from "./widgets";

const REASONS: Record<LockReason, string> = {
  user: "Locked.",
  idle: "Locked after a while without use.",
  system: "Locked because the session was locked or the computer went to sleep.",
};

export function unlockScreen(
  app: App,
  status: VaultStatus,
  options: { tryKeyring: boolean; reason: LockReason | null },
): Screen {
  const heading = el("h1", { tabindex: "-1", "data-testid": "unlock-title" }, "Unlock Tessera");
  heading.id = "unlock-h";
  const note = el("p", { class: "muted", role: "status", "data-testid": "unlock-status" }, options.reason ? REASONS[options.reason] : "");
  const error = formError("unlock-error");
  const root = el(
    "section",
    { class: "screen unlock", "aria-labelledby": "unlock-h" },
    el("div", { class: "empty-mark", "aria-hidden": "true" }),
    heading,
    el("p", { class: "muted path" }, el("code", { "data-testid": "vault-path" }, status.path ?? "")),
    note,
  );
  let focus: HTMLElement = heading;

  const done = async (opened: VaultStatus): Promise<void> => {
    await app.unlocked(opened);
  };

  // Shown only after a refusal as rolled back: one deliberate click opens
  // the older file, the way it was tried (password or keyring).
  const olderActions = el("div", { class: "actions start" });
  olderActions.hidden = true;
  let openOlder: (() => Promise<VaultStatus>) | null = null;
  const acceptOlder = el("button", { type: "button", class: "danger", "data-testid": "unlock-accept-older" }, "Open this older copy anyway");
  acceptOlder.addEventListener("click", () => {
    const retry = openOlder;
    if (retry === null) {
      return;
    }
    void busy(olderActions, async () => {
      try {
        await done(await retry());
        if (passwordField) {
          passwordField.input.value = "";
        }
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });
  olderActions.append(el("p", { class: "muted" }, "Open it anyway only if you put this copy back on purpose."), acceptOlder);
  const refused = (e: unknown, retry: () => Promise<VaultStatus>): boolean => {
    if (api.errorKind(e) !== "rolledBack") {
      olderActions.hidden = true;
      openOlder = null;
      return false;
    }
    error.textContent = api.errorText(e);
    openOlder = retry;
    olderActions.hidden = false;
    acceptOlder.focus();
    return true;
  };

  let keyringButton: HTMLButtonElement | null = null;
  const viaKeyring = async (): Promise<void> => {
    error.textContent = "";
    note.textContent = "Unlocking with the keyring…";
    try {
      await done(await api.unlockWithKeyring());
    } catch (e) {
      note.textContent = "";
      if (refused(e, () => api.unlockWithKeyring(true))) {
        return;
      }
      error.textContent = api.errorText(e);
      if (status.hasPassword) {
        passwordField?.input.focus();
      }
    }
  };

  let passwordField: ReturnType<typeof textField> | null = null;
  if (status.hasPassword) {
    const password = textField({ label: "Password", type: "password", testid: "password", attrs: { autocomplete: "current-password" } });
    passwordField = password;
    const submit = el("button", { type: "submit", class: "primary", "data-testid": "unlock" }, "Unlock");
    const form = el("form", { class: "card", novalidate: "", "aria-label": "Unlock with the password" }, password.wrap, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      error.textContent = "";
      if (!password.show(validatePassword(password.input.value))) {
        password.input.focus();
        return;
      }
      void busy(form, async () => {
        note.textContent = "Unlocking…";
        const typed = password.input.value;
        try {
          await done(await api.unlock(typed));
          password.input.value = "";
        } catch (e) {
          note.textContent = "";
          if (refused(e, () => api.unlock(typed, true))) {
            return;
          }
          error.textContent = api.errorKind(e) === "wrongPassword" ? "Wrong password." : api.errorText(e);
          // The field keeps what was typed, selected, to fix or retype.
          password.input.setAttribute("aria-invalid", "true");
          password.input.focus();
          password.input.select();
        }
      });
    });
    password.input.addEventListener("input", () => password.input.removeAttribute("aria-invalid"));
    root.append(form);
    focus = password.input;
  }
  root.append(error, olderActions);
  if (status.hasKeyring) {
    keyringButton = el("button", { type: "button", "data-testid": "unlock-keyring" }, "Unlock with the keyring");
    keyringButton.addEventListener("click", () => void viaKeyring());
    root.append(keyringButton);
    if (!status.hasPassword) {
      focus = keyringButton;
    }
  }
  if (options.tryKeyring && status.hasKeyring) {
    void viaKeyring();
  }
  return { root, focus };
}

/** When the vault cannot be used at all: say why, and where it is. */
export function problemScreen(app: App, message: string): Screen {
  const heading = el("h1", { tabindex: "-1" }, "Tessera cannot open the vault");
  const retry = el("button", { type: "button", class: "primary", "data-testid": "retry" }, "Try again");
  retry.addEventListener("click", () => void app.start());
  const root = el(
    "section",
    { class: "screen problem" },
    heading,
    el("p", { class: "form-error", role: "alert", "data-testid": "problem" }, message),
    retry,
  );
  return { root, focus: heading };
}
