// First run: create the vault with a password, the OS keyring, or both,
// with a plain account of what each protects against and what it costs; or
// join a vault another computer syncs through a shared folder.
import * as api from "../api";
import type { VaultStatus } from "../api";
import { el } from "../dom";
import { validateNewPassword } from "../lib/validate";
import type { App, Screen } from "./screen";
import { joinForm } from "./sync";
import { busy, checkbox, formError, leavingToSubmit, textField } from "./widgets";

export function setupScreen(app: App, status: VaultStatus): Screen {
  const usePassword = checkbox({
    label: "Unlock with a password",
    checked: true,
    testid: "use-password",
    explain:
      "Only someone who knows the password can open the vault, even with a copy of the file " +
      "(from a backup or a lost laptop). Nobody can reset it: if you forget it and have no other " +
      "way in, the accounts cannot be recovered.",
  });
  const password = textField({ label: "Password", type: "password", testid: "new-password", attrs: { autocomplete: "new-password" } });
  const again = textField({ label: "Repeat the password", type: "password", testid: "new-password-again", attrs: { autocomplete: "new-password" } });
  const passwordFields = el("div", { class: "indent" }, password.wrap, again.wrap);
  const useKeyring = checkbox({
    label: "Unlock automatically with the system keyring",
    checked: true,
    testid: "use-keyring",
    explain:
      "Your desktop’s keyring keeps a random key for the vault and hands it over while you are " +
      "logged in, so Tessera opens without asking. Programs running as you can ask the keyring too, " +
      "and on another computer (or if the keyring is reset) that key is gone.",
  });
  const both = el(
    "p",
    { class: "field-hint", "data-testid": "both-explained" },
    "With both, the keyring opens the vault day to day and the password still opens it anywhere.",
  );
  const error = formError("setup-error");
  const create = el("button", { type: "submit", class: "primary", "data-testid": "create-vault" }, "Create vault");
  const form = el(
    "form",
    { class: "card", novalidate: "", "aria-label": "Create the vault", "data-testid": "setup-form" },
    el("fieldset", {}, el("legend", {}, "How should the vault unlock?"), usePassword.wrap, passwordFields, useKeyring.wrap, both),
    error,
    create,
  );
  const refresh = (): void => {
    // A choice changed answers the form's last complaint ("Choose a password…").
    error.textContent = "";
    passwordFields.hidden = !usePassword.input.checked;
    both.hidden = !(usePassword.input.checked && useKeyring.input.checked);
  };
  usePassword.input.addEventListener("change", refresh);
  useKeyring.input.addEventListener("change", refresh);
  refresh();
  const touched = { password: false, again: false };
  const check = (): boolean => {
    if (!usePassword.input.checked) {
      return true;
    }
    const verdict = validateNewPassword(password.input.value, again.input.value);
    const okPassword = touched.password ? password.show(verdict.password) : verdict.password === null;
    const okAgain = touched.again ? again.show(verdict.again) : verdict.again === null;
    return okPassword && okAgain;
  };
  password.input.addEventListener("blur", (event) => {
    if (leavingToSubmit(event)) {
      return;
    }
    touched.password = password.input.value !== "";
    check();
  });
  again.input.addEventListener("blur", (event) => {
    if (leavingToSubmit(event)) {
      return;
    }
    touched.again = again.input.value !== "";
    check();
  });
  password.input.addEventListener("input", check);
  again.input.addEventListener("input", check);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!usePassword.input.checked && !useKeyring.input.checked) {
      error.textContent = "Choose a password, the keyring, or both: the vault needs a way to open.";
      return;
    }
    touched.password = true;
    touched.again = true;
    if (!check()) {
      form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    const secret = usePassword.input.checked ? password.input.value : null;
    void busy(form, async () => {
      try {
        const created = await api.createVault(secret, useKeyring.input.checked);
        password.input.value = "";
        again.input.value = "";
        await app.unlocked(created);
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });

  const heading = el("h1", { tabindex: "-1", "data-testid": "setup-title" }, "Create your vault");
  const root = el(
    "section",
    { class: "screen setup", "aria-labelledby": "setup-h" },
    el("div", { class: "empty-mark", "aria-hidden": "true" }),
    heading,
    // The form comes before the note on where the vault lives, so that its
    // Create button is in view at the default window size (480×720).
    form,
    el(
      "p",
      { class: "muted" },
      "Tessera keeps your accounts encrypted in one file, which the tessera command line opens too: ",
      el("code", { "data-testid": "vault-path" }, status.path ?? ""),
    ),
    el("h2", { id: "join-h" }, "Already use Tessera on another computer?"),
    joinForm((joined) => app.unlocked(joined)),
  );
  heading.id = "setup-h";
  return { root, focus: password.input };
}
