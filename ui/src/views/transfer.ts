// Import from another authenticator's backup (accounts picked from the same
// list a scan gives) and export to a file Rust writes where the user says
// in a native save dialog. Secrets never pass through this page in either direction, except
// a Google Authenticator series the user asks to see: its QR codes are
// images of the secrets, shown behind a warning and dropped on Hide.
import * as api from "../api";
import type { ExportFormat } from "../api";
import { el } from "../dom";
import { validateNewPassword, validatePassword } from "../lib/validate";
import { renderFound } from "./found";
import type { App, Screen } from "./screen";
import { busy, formError, screenHeader, selectField, textField } from "./widgets";

/** Says why a backup file cannot be read, before reading any of it. */
export function backupProblem(file: { name: string; size: number }): string | null {
  if (file.size > api.MAX_IMPORT_BYTES) {
    const mb = Math.round(file.size / (1024 * 1024));
    return `${file.name} is ${mb} MB; an authenticator's export is at most ${api.MAX_IMPORT_BYTES / (1024 * 1024)} MB.`;
  }
  return null;
}

/**
 * What the import says once a file is read, or found encrypted. Format
 * names start with any letter or digit ("Aegis vault", "1Password
 * export"), so the lines name them without an article.
 */
export function importLine(format: string | null, encrypted: "no" | "yes" | "with-key-file"): string {
  const kind = format ? `the file (${format})` : "the file";
  if (encrypted === "no") {
    return format ? `Read ${kind}.` : "";
  }
  const opening = `${kind.charAt(0).toUpperCase()}${kind.slice(1)} is encrypted`;
  return encrypted === "with-key-file" ? `${opening}: give its password, its key file, or both.` : `${opening}.`;
}

export function importScreen(app: App): Screen {
  const input = el("input", { type: "file", class: "sr-only", "data-testid": "import-file" });
  const open = el("button", { type: "button", class: "primary", "data-testid": "import-open" }, "Choose a file…");
  const status = el("p", { class: "muted", role: "status", "data-testid": "import-status" });
  const error = formError("import-error");
  const password = textField({ label: "The backup’s password", type: "password", testid: "import-password", attrs: { autocomplete: "off" } });
  const unlock = el("button", { type: "submit", class: "primary", "data-testid": "import-unlock" }, "Open the backup");
  // KeePass databases may also need a key file; its bytes go to Rust with
  // the password and are not kept here after the try.
  const keyInput = el("input", { type: "file", class: "sr-only", "data-testid": "import-key-file" });
  const keyOpen = el("button", { type: "button", "data-testid": "import-key-open" }, "Choose a key file…");
  const keyName = el("span", { class: "muted", "data-testid": "import-key-name" }, "No key file");
  const keyRow = el("div", { class: "actions start", hidden: "" }, keyOpen, keyInput, keyName);
  let keyFile: Uint8Array | null = null;
  const passwordForm = el("form", { class: "stack", novalidate: "", hidden: "" }, password.wrap, keyRow, unlock);
  const results = el("div", { class: "scan-results", "data-testid": "scan-results" });
  const card = el(
    "div",
    { class: "card drop-zone" },
    el(
      "p",
      { class: "field-hint" },
      "Backups and exports of other authenticators and password managers (Aegis, 2FAS, andOTP, Authy, Bitwarden, " +
        "Ente Auth, FreeOTP, Google and Microsoft Authenticator, KeePass, LastPass, 1Password, Proton, Stratum and more; " +
        "the README lists them all), a list of otpauth:// links, a QR image, or a Tessera backup. Drop the file here or choose it.",
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
      keyRow.hidden = !outcome.takesKeyFile;
      status.textContent = importLine(outcome.format, outcome.takesKeyFile ? "with-key-file" : "yes");
      password.input.focus();
      return;
    }
    passwordForm.hidden = true;
    password.input.value = "";
    keyFile = null;
    keyName.textContent = "No key file";
    status.textContent = importLine(outcome.format, "no");
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
  keyOpen.addEventListener("click", () => keyInput.click());
  keyInput.addEventListener("change", () => {
    const file = keyInput.files?.[0];
    keyInput.value = "";
    if (!file) {
      return;
    }
    void file.arrayBuffer().then((buffer) => {
      keyFile = new Uint8Array(buffer);
      keyName.textContent = file.name;
    });
  });
  passwordForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const keyOnly = keyFile !== null && password.input.value === "";
    if (!keyOnly && !password.show(validatePassword(password.input.value))) {
      password.input.focus();
      return;
    }
    error.textContent = "";
    void busy(card, async () => {
      try {
        handle(await api.importPassword(password.input.value, keyFile));
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

/** The warning to show under the chosen format, or "" when it is encrypted. */
export function exportWarning(chosen: ExportFormat | undefined, passwordTyped: boolean): string {
  if (chosen === undefined) {
    return "";
  }
  if (chosen.kind === "qr-series") {
    return "These QR codes hold your secrets: anyone who sees or photographs them can make your codes. Show them only to scan them, with nobody looking and no screen sharing on; saved images are as sensitive.";
  }
  if (chosen.id === "paper") {
    return "The PDF holds your secrets and recovery codes in the clear. Print it, keep the paper locked away, and delete the file.";
  }
  if (chosen.password === "never" || (chosen.password === "optional" && !passwordTyped)) {
    return "This file will not be encrypted: anyone who reads it can make your codes. Move it where it is needed and delete it.";
  }
  return "";
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * Shows a Google Authenticator series one QR code at a time, with the
 * position and buttons to step through it; `onHide` drops it.
 */
export function seriesViewer(series: api.GoogleExport, onHide: () => void): HTMLElement {
  let index = 0;
  const heading = el("h2", { "data-testid": "google-position", tabindex: "-1" });
  const image = el("img", { class: "qr", "data-testid": "google-qr", alt: "" });
  const previous = el("button", { type: "button", "data-testid": "google-previous" }, "Previous");
  const next = el("button", { type: "button", class: "primary", "data-testid": "google-next" }, "Next");
  const hide = el("button", { type: "button", "data-testid": "google-hide" }, "Hide the codes");
  const show = (at: number): void => {
    index = Math.max(0, Math.min(series.images.length - 1, at));
    heading.textContent = `Code ${index + 1} of ${series.images.length}`;
    image.src = series.images[index] ?? "";
    image.alt = `Google Authenticator migration QR code ${index + 1} of ${series.images.length}, holding secret keys`;
    previous.disabled = index === 0;
    next.disabled = index === series.images.length - 1;
  };
  previous.addEventListener("click", () => show(index - 1));
  next.addEventListener("click", () => show(index + 1));
  hide.addEventListener("click", onHide);
  show(0);
  return el(
    "section",
    { class: "card google-series", "aria-label": "Google Authenticator QR codes", "data-testid": "google-series" },
    heading,
    el(
      "p",
      { class: "field-hint" },
      `${plural(series.accounts, "account")} in ${plural(series.codes, "QR code")}. In Google Authenticator: Transfer accounts, Import accounts, then scan every code.`,
    ),
    ...series.notes.map((n) => el("p", { class: "field-hint warn" }, n)),
    image,
    el("div", { class: "actions" }, previous, next, hide),
  );
}

export function exportScreen(app: App): Screen {
  const format = selectField({ label: "Format", choices: [], value: "", testid: "export-format" });
  const description = el("p", { class: "field-hint", "data-testid": "export-description" });
  const password = textField({ label: "Password for the file", type: "password", testid: "export-password", attrs: { autocomplete: "new-password" } });
  const again = textField({ label: "Repeat the password", type: "password", testid: "export-password-again", attrs: { autocomplete: "new-password" } });
  const warning = el("p", { class: "warn-text", "data-testid": "export-warning" });
  const error = formError("export-error");
  const done = el("div", { role: "status", "data-testid": "export-done" });
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "export" }, "Export");
  const saveImages = el("button", { type: "button", "data-testid": "export-save-images" }, "Save as images");
  const series = el("div", { "data-testid": "google-holder" });
  const form = el(
    "form",
    { class: "card", novalidate: "", "aria-label": "Export" },
    el("p", { class: "field-hint" }, "Writes every account, secrets included, to a file you choose next (in your documents folder unless you say otherwise)."),
    format.wrap,
    description,
    password.wrap,
    again.wrap,
    warning,
    error,
    el("div", { class: "actions" }, submit, saveImages),
    done,
  );
  let formats: ExportFormat[] = [];
  const current = (): ExportFormat | undefined => formats.find((f) => f.id === format.input.value);
  const refresh = (): void => {
    const chosen = current();
    const usesPassword = chosen !== undefined && chosen.password !== "never";
    password.wrap.hidden = !usesPassword;
    again.wrap.hidden = !usesPassword;
    description.textContent = chosen?.description ?? "";
    warning.textContent = exportWarning(chosen, password.input.value !== "");
    const qrSeries = chosen?.kind === "qr-series";
    submit.textContent = qrSeries ? "Show QR codes" : "Export";
    saveImages.hidden = !qrSeries;
    // A series on screen goes away when another format is chosen.
    if (!qrSeries) {
      series.replaceChildren();
    }
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
  const google = (save: boolean): void => {
    error.textContent = "";
    done.replaceChildren();
    series.replaceChildren();
    void busy(form, async () => {
      try {
        const made = await api.exportGoogle(save);
        if (made.folder !== null) {
          done.replaceChildren(
            el("p", {}, `Saved ${plural(made.codes, "QR code")} of ${plural(made.accounts, "account")} to `, el("code", { "data-testid": "export-path" }, made.folder)),
            ...made.notes.map((n) => el("p", { class: "field-hint warn" }, n)),
          );
          return;
        }
        const viewer = seriesViewer(made, () => {
          series.replaceChildren();
          submit.focus();
        });
        series.replaceChildren(viewer);
        viewer.querySelector<HTMLElement>("h2")?.focus();
      } catch (e) {
        error.textContent = api.declined(e) ? "Not exported." : api.errorText(e);
      }
    });
  };
  saveImages.addEventListener("click", () => google(true));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    done.replaceChildren();
    const chosen = current();
    if (!chosen) {
      return;
    }
    if (chosen.kind === "qr-series") {
      google(false);
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
          el("p", {}, `Wrote ${plural(written.accounts, "account")}${written.encrypted ? ", encrypted," : ""} to `, el("code", { "data-testid": "export-path" }, written.path)),
          ...written.notes.map((n) => el("p", { class: "field-hint warn" }, n)),
        );
      } catch (e) {
        error.textContent = api.declined(e) ? "Not exported." : api.errorText(e);
      }
    });
  });
  const root = el("section", { class: "screen export" }, screenHeader(app, "Export", "export-title"), form, series);
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root };
}
