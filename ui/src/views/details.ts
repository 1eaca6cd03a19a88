// One account's details: edit its names, tags and notes, mark it a
// favourite, see its parameters, and remove it after a confirmation that
// names it.
import * as api from "../api";
import type { Account } from "../api";
import { el } from "../dom";
import { accountLabel, parseTags } from "../lib/search";
import { validateLabel, validateNames, validateNotes, validateTags } from "../lib/validate";
import { recoveryAddScreen, recoveryEntryScreen } from "./recovery";
import type { App, Screen } from "./screen";
import { busy, checkbox, confirmDialog, formError, issuerIcon, screenHeader, textArea, textField } from "./widgets";

function describe(account: Account): string {
  switch (account.kind) {
    case "steam":
      return "Steam Guard, 5 characters, every 30 seconds";
    case "hotp":
      return `Counter-based (HOTP), ${account.algorithm}, ${account.digits} digits, next counter ${account.counter}`;
    case "totp":
      return `Time-based (TOTP), ${account.algorithm}, ${account.digits} digits, every ${account.period} seconds`;
  }
}

export function detailsScreen(app: App, account: Account): Screen {
  const header = screenHeader(app, accountLabel(account), "details-title");
  header.querySelector("h1")?.prepend(issuerIcon(account.issuer, account.name));

  const issuer = textField({ label: "Issuer", value: account.issuer, testid: "edit-issuer", attrs: { autocomplete: "off" } });
  const name = textField({ label: "Account name", value: account.name, testid: "edit-name", attrs: { autocomplete: "off" } });
  const tags = textField({
    label: "Tags",
    hint: "Separated by commas, e.g. work, finance. Search for #work to list them.",
    value: account.tags.join(", "),
    testid: "edit-tags",
    attrs: { autocomplete: "off" },
  });
  const notes = textArea({ label: "Notes", value: account.notes, testid: "edit-notes" });
  const favourite = checkbox({ label: "Favourite: show it at the top", checked: account.favourite, testid: "edit-favourite" });
  const error = formError("edit-error");
  const save = el("button", { type: "submit", class: "primary", "data-testid": "save" }, "Save changes");
  const form = el(
    "form",
    { class: "card", "aria-label": "Edit account", novalidate: "", "data-testid": "edit-form" },
    issuer.wrap,
    name.wrap,
    tags.wrap,
    notes.wrap,
    favourite.wrap,
    error,
    save,
  );
  const check = (): boolean => {
    const results = [
      issuer.show(validateLabel(issuer.input.value, "issuer") ?? validateNames(issuer.input.value, name.input.value)),
      name.show(validateLabel(name.input.value, "account name")),
      tags.show(validateTags(parseTags(tags.input.value))),
      notes.show(validateNotes(notes.input.value)),
    ];
    return results.every(Boolean);
  };
  for (const field of [issuer, name, tags, notes]) {
    field.input.addEventListener("input", check);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!check()) {
      form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    error.textContent = "";
    void busy(form, async () => {
      try {
        await api.editAccount(account.id, {
          issuer: issuer.input.value,
          name: name.input.value,
          tags: parseTags(tags.input.value),
          notes: notes.input.value,
          favourite: favourite.input.checked,
        });
        await app.refreshAccounts();
        app.toast("Saved");
        app.goAccounts();
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });

  const params = el(
    "section",
    { class: "card", "aria-labelledby": "params-title" },
    el("h2", { id: "params-title" }, "How codes are made"),
    el("p", { "data-testid": "params" }, describe(account)),
  );

  // Moving the account to another device: behind a warning and a reveal.
  const qrHolder = el("div", { class: "qr-holder", "data-testid": "qr-holder" });
  const qrButton = el("button", { type: "button", "aria-pressed": "false", "data-testid": "show-qr" }, "Show QR code");
  qrButton.addEventListener("click", () => {
    if (qrHolder.childElementCount > 0) {
      qrHolder.replaceChildren();
      qrButton.textContent = "Show QR code";
      qrButton.setAttribute("aria-pressed", "false");
      return;
    }
    api
      .accountQr(account.id)
      .then((url) => {
        const image = el("img", {
          src: url,
          alt: `QR code of ${accountLabel(account)}, holding its secret key`,
          class: "qr",
          "data-testid": "account-qr",
        });
        qrHolder.replaceChildren(image);
        qrButton.textContent = "Hide QR code";
        qrButton.setAttribute("aria-pressed", "true");
      })
      .catch((e: unknown) => app.toast(api.declined(e) ? "Not shown." : api.errorText(e), "error"));
  });
  const transfer = el(
    "section",
    { class: "card", "aria-labelledby": "move-title" },
    el("h2", { id: "move-title" }, "Move to another device"),
    el(
      "p",
      { class: "warn-text", "data-testid": "qr-warning" },
      "The QR code holds the account’s secret key: anyone who sees or photographs it can make your codes. " +
        "Show it only to scan it with your other device, with nobody looking and no screen sharing on.",
    ),
    qrButton,
    qrHolder,
  );

  const recoveryText =
    account.recoveryUnused === null
      ? "No recovery codes stored. Sites give a few one-time codes for the day you lose this device: keep them here."
      : `${account.recoveryUnused} unused recovery code${account.recoveryUnused === 1 ? "" : "s"}.${account.recoveryWarning ? ` ${account.recoveryWarning}.` : ""}`;
  const recoveryButton = el(
    "button",
    { type: "button", "data-testid": "details-recovery" },
    account.recoveryUnused === null ? "Add recovery codes" : "Open recovery codes",
  );
  recoveryButton.addEventListener("click", () => {
    if (account.recoveryUnused === null) {
      app.show(recoveryAddScreen(app, { kind: "account", id: account.id, label: accountLabel(account) }));
      return;
    }
    api
      .recoveryList()
      .then((entries) => {
        const entry = entries.find((e) => e.accountId === account.id);
        if (entry) {
          app.show(recoveryEntryScreen(app, entry));
        }
      })
      .catch((e: unknown) => app.toast(api.errorText(e), "error"));
  });
  const recovery = el(
    "section",
    { class: "card", "aria-labelledby": "recovery-codes-title" },
    el("h2", { id: "recovery-codes-title" }, "Recovery codes"),
    el("p", { "data-testid": "details-recovery-count" }, recoveryText),
    recoveryButton,
  );

  const remove = el("button", { type: "button", class: "danger", "data-testid": "remove" }, "Remove account…");
  remove.addEventListener("click", () => {
    const label = accountLabel(account);
    const where = account.issuer || "the site";
    void confirmDialog({
      title: `Remove ${label}?`,
      body: [
        el(
          "p",
          {},
          `Tessera will no longer make codes for ${label}. Before removing it, turn off two-factor ` +
            `authentication at ${where} or make sure you have another way to sign in: ` +
            "without the codes you may be locked out." +
            (account.recoveryUnused === null ? "" : " Its recovery codes stay in Tessera."),
        ),
      ],
      confirm: `Remove ${label}`,
      danger: true,
      testid: "remove-dialog",
    }).then(async (confirmed) => {
      if (!confirmed) {
        remove.focus();
        return;
      }
      try {
        const removed = await api.removeAccount(account.id);
        await app.refreshAccounts();
        app.toast(`Removed ${removed}`);
        app.goAccounts();
      } catch (e) {
        app.toast(api.errorText(e), "error");
      }
    });
  });
  const danger = el(
    "section",
    { class: "card danger-zone", "aria-labelledby": "remove-title" },
    el("h2", { id: "remove-title" }, "Remove"),
    remove,
  );

  const root = el("section", { class: "screen details" }, header, form, params, recovery, transfer, danger);
  // The vault changed elsewhere (the CLI, sync, another window): show the
  // account as it is now, unless the user is editing it here.
  const accountsChanged = (): void => {
    const next = app.accounts.find((a) => a.id === account.id);
    if (!next) {
      app.toast(`${accountLabel(account)} was removed elsewhere`);
      app.goAccounts();
      return;
    }
    const editing =
      issuer.input.value !== account.issuer ||
      name.input.value !== account.name ||
      tags.input.value !== account.tags.join(", ") ||
      notes.input.value !== account.notes ||
      favourite.input.checked !== account.favourite;
    if (!editing && JSON.stringify(next) !== JSON.stringify(account)) {
      app.show(detailsScreen(app, next));
    }
  };
  return { root, focus: header.querySelector("h1") ?? root, accountsChanged };
}
