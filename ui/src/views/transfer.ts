// Import from another authenticator's backup (accounts picked from the same
// list a scan gives) and export to a file Rust writes in the documents
// folder. Secrets never pass through this page in either direction.
import * as api from "../api";
import type { ExportFormat } from "../api";
import type { App, Screen } from "../app";
import { el } from "../dom";
import { validateNewPassword, validatePassword } from "../lib/validate";
import { screenHeader } from "./add";
import { busy, formError, selectField, textField } from "./form";
import { renderFound } from "./scan";

/** Says why a backup file cannot be read, before reading any of it. */
export function backupProblem(file: { name: string; size: number }): string | null {
  if (file.size > api.MAX_IMPORT_BYTES) {
    const mb = Math.round(file.size / (1024 * 1024));
    return `${file.name} is ${mb} MB; an authenticator's export is at most ${api.MAX_IMPORT_BYTES / (1024 * 1024)} MB.`;
  }
  return null;
}

export function importScreen(app: App): Screen {
  const input = el("input", { type: "file", class: "sr-only", "data-testid": "import-file" });
  const open = el("button", { type: "button", class: "primary", "data-testid": "import-open" }, "Choose a file…");
  const status = el("p", { class: "muted", role: "status", "data-testid": "import-status" });
  const error = formError("import-error");
  const password = textField({ label: "The backup’s password", type: "password", testid: "import-password", attrs: { autocomplete: "off" } });
  const unlock = el("button", { type: "submit", class: "primary", "data-testid": "import-unlock" }, "Open the backup");
  const passwordForm = el("form", { class: "stack", novalidate: "", hidden: "" }, password.wrap, unlock);
  const results = el("div", { class: "scan-results", "data-testid": "scan-results" });
  const card = el(
    "div",
    { class: "card drop-zone" },
    el(
      "p",
      { class: "field-hint" },
      "Backups from Aegis, 2FAS, Bitwarden, andOTP, FreeOTP+, Proton Authenticator, Steam Desktop Authenticator, " +
        "Google Authenticator (as text), a list of otpauth:// links, or a Tessera backup. Drop the file here or choose it.",
    ),
    el("div", { class: "actions start" }, open, input),
    status,
    passwordForm,
    error,
    results,
  );
  const handle = (outcome: api.ImportOutcome): void => {
    if (outcome.needsPassword) {
      passwordForm.hidden = false;
      status.textContent = `This ${outcome.format ?? "backup"} is encrypted.`;
      password.input.focus();
      return;
    }
    passwordForm.hidden = true;
    password.input.value = "";
    status.textContent = outcome.format ? `Read a ${outcome.format} file.` : "";
    if (outcome.result) {
      renderFound(app, card, results, error, outcome.result);
    }
  };
  const read = (file: File): void => {
    error.textContent = "";
    results.replaceChildren();
    const problem = backupProblem(file);
    if (problem) {
      error.textContent = problem;
      return;
    }
    status.textContent = `Reading ${file.name}…`;
    void busy(card, async () => {
      try {
        handle(await api.importFile(new Uint8Array(await file.arrayBuffer())));
      } catch (e) {
        status.textContent = "";
        error.textContent = api.errorText(e);
      }
    });
  };
  open.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) {
      read(file);
    }
    input.value = "";
  });
  card.addEventListener("dragover", (event) => event.preventDefault());
  card.addEventListener("drop", (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) {
      read(file);
    }
  });
  passwordForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!password.show(validatePassword(password.input.value))) {
      password.input.focus();
      return;
    }
    error.textContent = "";
    void busy(card, async () => {
      try {
        handle(await api.importPassword(password.input.value));
      } catch (e) {
        error.textContent = api.errorText(e);
        password.input.select();
      }
    });
  });
  void api.scanReset().catch(() => undefined);
  const root = el("section", { class: "screen import" }, screenHeader(app, "Import", "import-title"), card);
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root };
}

export function exportScreen(app: App): Screen {
  const format = selectField({ label: "Format", choices: [], value: "", testid: "export-format" });
  const password = textField({ label: "Password for the file", type: "password", testid: "export-password", attrs: { autocomplete: "new-password" } });
  const again = textField({ label: "Repeat the password", type: "password", testid: "export-password-again", attrs: { autocomplete: "new-password" } });
  const warning = el("p", { class: "warn-text", "data-testid": "export-warning" });
  const error = formError("export-error");
  const done = el("div", { role: "status", "data-testid": "export-done" });
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "export" }, "Export");
  const form = el(
    "form",
    { class: "card", novalidate: "", "aria-label": "Export" },
    el("p", { class: "field-hint" }, "Writes every account, secrets included, to a new file in your documents folder."),
    format.wrap,
    password.wrap,
    again.wrap,
    warning,
    error,
    submit,
    done,
  );
  let formats: ExportFormat[] = [];
  const current = (): ExportFormat | undefined => formats.find((f) => f.id === format.input.value);
  const refresh = (): void => {
    const chosen = current();
    const usesPassword = chosen !== undefined && chosen.password !== "never";
    password.wrap.hidden = !usesPassword;
    again.wrap.hidden = !usesPassword;
    const plain = chosen !== undefined && (chosen.password === "never" || (chosen.password === "optional" && password.input.value === ""));
    warning.textContent = plain
      ? "This file will not be encrypted: anyone who reads it can make your codes. Move it where it is needed and delete it."
      : "";
  };
  format.input.addEventListener("change", refresh);
  password.input.addEventListener("input", refresh);
  api
    .exportFormats()
    .then((list) => {
      formats = list;
      format.input.replaceChildren(...list.map((f) => el("option", { value: f.id }, f.name)));
      refresh();
    })
    .catch((e: unknown) => {
      error.textContent = api.errorText(e);
    });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    done.replaceChildren();
    const chosen = current();
    if (!chosen) {
      return;
    }
    const wantsPassword = chosen.password === "required" || (chosen.password === "optional" && password.input.value !== "");
    if (wantsPassword) {
      const verdict = validateNewPassword(password.input.value, again.input.value);
      if (!password.show(verdict.password) || !again.show(verdict.again)) {
        form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
        return;
      }
    }
    void busy(form, async () => {
      try {
        const written = await api.exportFile(chosen.id, wantsPassword ? password.input.value : null);
        password.input.value = "";
        again.input.value = "";
        done.replaceChildren(
          el("p", {}, `Wrote ${written.accounts} account${written.accounts === 1 ? "" : "s"}${written.encrypted ? ", encrypted," : ""} to `, el("code", { "data-testid": "export-path" }, written.path)),
          ...written.notes.map((n) => el("p", { class: "field-hint warn" }, n)),
        );
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });
  const root = el("section", { class: "screen export" }, screenHeader(app, "Export", "export-title"), form);
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root };
}
