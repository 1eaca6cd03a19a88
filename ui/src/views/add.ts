// Adding an account: paste an otpauth:// link, or type the details in by
// hand with every field checked as it is typed. After adding, the new
// account's code shows at once: the enrolling site asks for it next.
import * as api from "../api";
import type { Added, Algorithm, ManualAccount, OtpKind } from "../api";
import { el } from "../dom";
import {
  looksLikeOtpauth,
  secretHint,
  validateCounter,
  validateDigits,
  validateLabel,
  validateNames,
  validatePeriod,
  validateSecret,
  type Verdict,
} from "../lib/validate";
import { scanSection } from "./scan";
import type { App, Screen } from "./screen";
import { importScreen } from "./transfer";
import { busy, formError, leavingToSubmit, screenHeader, selectField, textArea, textField, type Field } from "./widgets";

/** Runs an add, offering "add it again" when the vault already has it. */
async function submitAdd(
  app: App,
  form: HTMLElement,
  error: HTMLElement,
  add: (force: boolean) => Promise<Added>,
  force = false,
): Promise<void> {
  error.replaceChildren();
  try {
    const added = await busy(form, () => add(force));
    await app.refreshAccounts();
    app.goAdded(added);
  } catch (e) {
    const message = api.errorText(e);
    error.replaceChildren(message);
    if (!force && api.errorKind(e) === "duplicate") {
      const again = el("button", { type: "button", class: "link", "data-testid": "add-anyway" }, "Add it again anyway");
      again.addEventListener("click", () => void submitAdd(app, form, error, add, true));
      error.append(" ", again);
    }
  }
}

function pasteSection(app: App): HTMLElement {
  const uri = textArea({
    label: "otpauth:// link",
    hint: "Some sites offer the link behind their QR code (“can’t scan it?”). Paste it here.",
    testid: "uri",
    attrs: { rows: "3", spellcheck: "false", autocomplete: "off" },
  });
  const error = formError("uri-form-error");
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "add-uri" }, "Add from link");
  const form = el("form", { class: "card", "aria-label": "Add from a link", novalidate: "" }, uri.wrap, error, submit);
  const check = (): boolean => {
    const text = uri.input.value.trim();
    let verdict: Verdict = null;
    if (text === "") {
      verdict = "Paste a link that starts with otpauth://.";
    } else if (!looksLikeOtpauth(text)) {
      verdict = "That is not an otpauth:// link.";
    } else if (text.toLowerCase().startsWith("otpauth-migration:")) {
      verdict = "That is a Google Authenticator export: scan its QR code instead.";
    }
    return uri.show(verdict);
  };
  uri.input.addEventListener("blur", (event) => {
    if (uri.input.value.trim() !== "" && !leavingToSubmit(event)) {
      check();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!check()) {
      uri.input.focus();
      return;
    }
    void submitAdd(app, form, error, (force) => api.addAccountUri(uri.input.value.trim(), force));
  });
  return el("section", { class: "add-section", "aria-labelledby": "paste-title" }, el("h2", { id: "paste-title" }, "Paste a link"), form);
}

const KINDS: [OtpKind, string][] = [
  ["totp", "Time-based (TOTP), the usual kind"],
  ["hotp", "Counter-based (HOTP)"],
  ["steam", "Steam Guard"],
];
const ALGORITHMS: [Algorithm, string][] = [
  ["SHA1", "SHA1 (usual)"],
  ["SHA256", "SHA256"],
  ["SHA512", "SHA512"],
];

/** The hand-entry form, with a check per field. */
export function manualForm(app: App): HTMLFormElement {
  const issuer = textField({ label: "Issuer", hint: "The site or company, e.g. GitHub.", testid: "issuer", attrs: { autocomplete: "off" } });
  const name = textField({ label: "Account name", hint: "Usually your e-mail address or user name there.", testid: "name", attrs: { autocomplete: "off" } });
  const secret = textField({
    label: "Secret key",
    hint: "The letters and digits the site shows under its QR code. Spaces do not matter.",
    testid: "secret",
    attrs: { autocomplete: "off", spellcheck: "false", autocapitalize: "characters", class: "mono" },
  });
  const kind = selectField({ label: "Type", choices: KINDS, value: "totp", testid: "kind" });
  const algorithm = selectField({ label: "Algorithm", choices: ALGORITHMS, value: "SHA1", testid: "algorithm" });
  const digits = textField({ label: "Digits", value: "6", testid: "digits", attrs: { inputmode: "numeric", autocomplete: "off" } });
  const period = textField({ label: "Period (seconds)", value: "30", testid: "period", attrs: { inputmode: "numeric", autocomplete: "off" } });
  const counter = textField({ label: "Counter", value: "0", testid: "counter", attrs: { inputmode: "numeric", autocomplete: "off" } });
  const hint = el("p", { class: "field-hint warn", "data-testid": "secret-hint" });
  secret.wrap.append(hint);
  const advanced = el(
    "details",
    { class: "advanced" },
    el("summary", { "data-testid": "advanced" }, "Advanced: type, algorithm, digits, period"),
    kind.wrap,
    algorithm.wrap,
    digits.wrap,
    period.wrap,
    counter.wrap,
  );
  const error = formError("manual-form-error");
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "add-manual" }, "Add account");
  const form = el(
    "form",
    { class: "card", "aria-label": "Enter by hand", novalidate: "", "data-testid": "manual-form" },
    issuer.wrap,
    name.wrap,
    secret.wrap,
    advanced,
    error,
    submit,
  );

  const currentKind = (): OtpKind => kind.input.value as OtpKind;
  const checks: [Field<HTMLInputElement | HTMLSelectElement>, () => Verdict][] = [
    [issuer, () => validateLabel(issuer.input.value, "issuer") ?? validateNames(issuer.input.value, name.input.value)],
    [name, () => validateLabel(name.input.value, "account name")],
    [secret, () => validateSecret(secret.input.value)],
    [digits, () => validateDigits(digits.input.value, currentKind())],
    [period, () => validatePeriod(period.input.value, currentKind())],
    [counter, () => validateCounter(counter.input.value, currentKind())],
  ];
  const touched = new Set<Field<HTMLInputElement | HTMLSelectElement>>();
  const run = (field: Field<HTMLInputElement | HTMLSelectElement>, check: () => Verdict): boolean =>
    touched.has(field) ? field.show(check()) : check() === null;
  const refresh = (): void => {
    for (const [field, check] of checks) {
      run(field, check);
    }
    hint.textContent = touched.has(secret) ? (secretHint(secret.input.value) ?? "") : "";
  };
  for (const [field] of checks) {
    field.input.addEventListener("blur", (event) => {
      if (leavingToSubmit(event)) {
        return;
      }
      if (field.input.value !== "" || field === secret || field === issuer) {
        touched.add(field);
      }
      refresh();
    });
    field.input.addEventListener("input", refresh);
  }
  const showKind = (): void => {
    const k = currentKind();
    algorithm.wrap.hidden = k === "steam";
    digits.wrap.hidden = k === "steam";
    period.wrap.hidden = k !== "totp";
    counter.wrap.hidden = k !== "hotp";
    refresh();
  };
  kind.input.addEventListener("change", showKind);
  showKind();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let firstBad: HTMLElement | null = null;
    for (const [field, check] of checks) {
      touched.add(field);
      if (!field.show(check()) && firstBad === null) {
        firstBad = field.input;
      }
    }
    if (firstBad) {
      if (advanced.contains(firstBad)) {
        advanced.open = true;
      }
      firstBad.focus();
      return;
    }
    const account: ManualAccount = {
      issuer: issuer.input.value.trim(),
      name: name.input.value.trim(),
      secret: secret.input.value,
      kind: currentKind(),
      algorithm: algorithm.input.value as Algorithm,
      digits: Number(digits.input.value.trim()),
      period: Number(period.input.value.trim()),
      counter: counter.input.value.trim(),
    };
    void submitAdd(app, form, error, (force) => api.addAccountManual(account, force));
  });
  return form;
}

/** Builds the add-account screen. */
export function addScreen(app: App): Screen {
  const manual = el(
    "section",
    { class: "add-section", "aria-labelledby": "manual-title" },
    el("h2", { id: "manual-title" }, "Enter by hand"),
    manualForm(app),
  );
  const header = screenHeader(app, "Add account", "add-title");
  const importLink = el("button", { type: "button", class: "link", "data-testid": "add-import" }, "Import a backup from another app…");
  importLink.addEventListener("click", () => app.show(importScreen(app)));
  const root = el(
    "section",
    { class: "screen add" },
    header,
    scanSection(app),
    pasteSection(app),
    manual,
    el("p", {}, importLink),
  );
  return { root, focus: header.querySelector("h1") ?? root };
}
