// Recovery codes: the list of services with their counts and warnings, one
// service's codes (masked until revealed, unused first; copy, mark used and
// undo a mistaken mark), and adding codes by pasting what the service
// showed, or a newly issued set that replaces the kept one. Rust never
// sends a stored code unless the user reveals them; copying happens in
// Rust. Both screens follow the vault when it changes elsewhere (the CLI,
// sync): they reload rather than act on a list that is gone.
import * as api from "../api";
import type { CodeSlot, RecoveryEntry, RecoveryTarget } from "../api";
import { el } from "../dom";
import { accountLabel, compareText } from "../lib/search";
import { validateLabel } from "../lib/validate";
import type { App, Screen } from "./screen";
import {
  busy,
  checkbox,
  confirmDialog,
  formError,
  icon,
  promptDialog,
  screenHeader,
  selectField,
  textArea,
  textField,
} from "./widgets";

/** A unix time as a calendar date (UTC, like the CLI). */
export function day(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 10);
}

/** "7 of 10 unused", or "1 code, unused" for a rotating service. */
export function countText(entry: Pick<RecoveryEntry, "unused" | "total">): string {
  if (entry.total === 0) {
    return "no codes";
  }
  return `${entry.unused} of ${entry.total} unused`;
}

function warningsNode(entry: RecoveryEntry): HTMLElement {
  return el(
    "ul",
    { class: "warnings", "data-testid": "recovery-warnings" },
    ...entry.warnings.map((w) => el("li", {}, w)),
  );
}

/** Every service with recovery codes. */
export function recoveryListScreen(app: App): Screen {
  const list = el("ul", { class: "recovery-list", "aria-label": "Services with recovery codes", "data-testid": "recovery-list" });
  const empty = el(
    "p",
    { class: "muted", "data-testid": "recovery-empty" },
    "No recovery codes yet. When a site shows its one-time backup codes, paste them here: Tessera keeps track of which are spent.",
  );
  const add = el("button", { type: "button", class: "primary", "data-testid": "recovery-add" }, "Add recovery codes");
  add.addEventListener("click", () => app.show(recoveryAddScreen(app, null)));
  const root = el("section", { class: "screen recovery" }, screenHeader(app, "Recovery codes", "recovery-title"), add, list, empty);
  const load = async (): Promise<void> => {
    try {
      const entries = await api.recoveryList();
      entries.sort((a, b) => compareText(a.label, b.label));
      list.replaceChildren(
        ...entries.map((entry) => {
          const open = el(
            "button",
            { type: "button", class: "recovery-row", "data-testid": "recovery-entry" },
            el("span", { class: "labels" }, el("span", { class: "issuer" }, entry.label), el("span", { class: "name" }, countText(entry))),
          );
          if (entry.warnings.length > 0) {
            open.classList.add("warn");
            open.append(el("span", { class: "badge warn", "data-testid": "recovery-warning" }, entry.warnings[0] ?? ""));
          }
          open.addEventListener("click", () => app.show(recoveryEntryScreen(app, entry)));
          return el("li", {}, open);
        }),
      );
      empty.hidden = entries.length > 0;
    } catch (e) {
      app.toast(api.errorText(e), "error");
    }
  };
  void load();
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root, accountsChanged: () => void load() };
}

/** "3 codes of older sets kept as history", or nothing. */
export function historyText(entry: Pick<RecoveryEntry, "replaced">): string {
  if (entry.replaced === 0) {
    return "";
  }
  return `${entry.replaced} code${entry.replaced === 1 ? "" : "s"} of older sets kept as history`;
}

/** How a code stands: unused, used on a day, or replaced by a newer set. */
export function slotState(slot: Pick<CodeSlot, "usedAt" | "replacedAt">): "unused" | "used" | "replaced" {
  if (slot.replacedAt !== null) {
    return "replaced";
  }
  return slot.usedAt === null ? "unused" : "used";
}

/** One service's codes. */
export function recoveryEntryScreen(app: App, initial: RecoveryEntry): Screen {
  let entry = initial;
  let revealed: string[] | null = null;
  const summary = el("p", { class: "recovery-summary", "data-testid": "recovery-count" });
  const history = el("p", { class: "muted", "data-testid": "recovery-history" });
  const warnings = el("div", { role: "status" });
  const reveal = el("button", { type: "button", "aria-pressed": "false", "data-testid": "recovery-reveal" }, "Reveal codes");
  const codes = el("ol", { class: "recovery-codes", "aria-label": "Recovery codes", "data-testid": "recovery-codes" });
  const rotating = checkbox({
    label: "The service gives a new code each time one is used",
    checked: entry.rotating,
    testid: "recovery-rotating",
  });
  const more = el("button", { type: "button", "data-testid": "recovery-more" }, "Add codes or a new set");
  const removeAll = el("button", { type: "button", class: "danger", "data-testid": "recovery-remove-all" }, "Remove all codes…");

  const draw = (): void => {
    summary.textContent = countText(entry);
    history.textContent = historyText(entry);
    history.hidden = entry.replaced === 0;
    rotating.input.checked = entry.rotating;
    warnings.replaceChildren(warningsNode(entry));
    reveal.textContent = revealed ? "Hide codes" : "Reveal codes";
    reveal.setAttribute("aria-pressed", revealed ? "true" : "false");
    codes.replaceChildren(...entry.codes.map((slot) => codeRow(slot)));
  };

  const codeRow = (slot: CodeSlot): HTMLLIElement => {
    const text = revealed?.[slot.index] ?? slot.shape;
    const state = slotState(slot);
    const status =
      state === "replaced"
        ? el("span", { class: "state replaced" }, `replaced ${day(slot.replacedAt ?? 0)}`)
        : state === "used"
          ? el("span", { class: "state used" }, `used ${day(slot.usedAt ?? 0)}`)
          : el("span", { class: "state" }, "unused");
    const li = el(
      "li",
      { class: state === "unused" ? "recovery-code" : `recovery-code ${state}`, "data-testid": "recovery-code", "data-state": state },
      el("code", { class: "mono", "data-testid": "recovery-code-text" }, text),
      status,
    );
    if (state === "used") {
      const undo = el(
        "button",
        { type: "button", "aria-label": `Undo: code ${slot.index + 1} was not used`, "data-testid": "recovery-undo" },
        "Not used",
      );
      undo.addEventListener("click", () => void undoUse(slot));
      li.append(el("span", { class: "row-actions" }, undo));
    }
    if (state === "unused") {
      const copy = el(
        "button",
        { type: "button", class: "icon-button", "aria-label": `Copy code ${slot.index + 1}`, title: "Copy", "data-testid": "recovery-copy" },
        icon("copy"),
      );
      copy.addEventListener("click", () => {
        api
          .recoveryCopy(entry.id, slot)
          .then((clears) => app.toast(`Copied recovery code ${slot.index + 1}${clears === null ? "" : `; clears in ${clears} s`}`))
          .catch((e: unknown) => void failed(e));
      });
      const use = el("button", { type: "button", "data-testid": "recovery-use" }, "Mark used");
      use.addEventListener("click", () => void markUsed(slot));
      li.append(el("span", { class: "row-actions" }, copy, use));
    }
    return li;
  };

  /**
   * Reads the set again: another program (the CLI, sync) or window may
   * have changed it. Returns whether it changed; a set removed meanwhile
   * leads back to the list.
   */
  const reload = async (): Promise<boolean> => {
    let next: RecoveryEntry | undefined;
    try {
      next = (await api.recoveryList()).find((e) => e.id === entry.id);
    } catch {
      // Locked or unreadable: the app's tick shows what to do.
      return false;
    }
    if (!next) {
      app.toast(`The recovery codes of ${entry.label} were removed elsewhere`);
      app.show(recoveryListScreen(app));
      return true;
    }
    if (JSON.stringify(next) === JSON.stringify(entry)) {
      return false;
    }
    entry = next;
    // Shown codes are hidden again rather than asked for anew.
    revealed = null;
    draw();
    return true;
  };

  /** An action failed: if the set changed elsewhere, say so and show it as it is now. */
  const failed = async (e: unknown): Promise<void> => {
    if (await reload()) {
      app.toast("The codes changed elsewhere: the list now shows them as they are. Try again.", "error");
    } else {
      app.toast(api.errorText(e), "error");
    }
  };

  const undoUse = async (slot: CodeSlot): Promise<void> => {
    try {
      entry = await api.recoveryUnuse(entry.id, slot);
      revealed = null;
      draw();
      void app.refreshAccounts();
      app.toast(`Code ${slot.index + 1} is unused again; ${entry.unused} unused`);
    } catch (e) {
      await failed(e);
    }
  };

  const markUsed = async (slot: CodeSlot): Promise<void> => {
    const sure = await confirmDialog({
      title: `Mark code ${slot.index + 1} used?`,
      body: [el("p", {}, `Do this once you have signed in to ${entry.label} with it: a used code does not work again.`)],
      confirm: "Mark used",
      testid: "recovery-use-dialog",
    });
    if (!sure) {
      return;
    }
    try {
      const used = await api.recoveryUse(entry.id, slot);
      entry = used.entry;
      // The list changed: shown codes are hidden again rather than asked
      // for anew (each reveal is confirmed outside the page).
      revealed = null;
      draw();
      void app.refreshAccounts();
      app.toast(`Marked code ${slot.index + 1} used; ${entry.unused} unused left`);
      if (used.replacementExpected) {
        await askReplacement();
      }
    } catch (e) {
      await failed(e);
    }
  };

  const askReplacement = async (): Promise<void> => {
    const code = await promptDialog({
      title: "Save the new recovery code",
      body: [el("p", {}, `${entry.label} gives a new recovery code in place of the used one. Copy it from the site now: without it you may have no way back in.`)],
      label: "New recovery code",
      confirm: "Save code",
      cancel: "Later",
      testid: "replacement-dialog",
      check: (value) => (value.trim() === "" ? "Paste the new code the site showed." : null),
    });
    if (code === null) {
      draw();
      return;
    }
    try {
      entry = await api.recoveryAdd({ kind: "entry", id: entry.id }, code.trim(), true, null);
      // The list changed: shown codes are hidden again rather than asked
      // for anew (each reveal is confirmed outside the page).
      revealed = null;
      draw();
      void app.refreshAccounts();
      app.toast("Saved the new recovery code");
    } catch (e) {
      app.toast(api.errorText(e), "error");
      await askReplacement();
    }
  };

  reveal.addEventListener("click", () => {
    if (revealed) {
      revealed = null;
      draw();
      return;
    }
    api
      .recoveryReveal(entry.id)
      .then((list) => {
        revealed = list;
        draw();
      })
      .catch((e: unknown) => app.toast(api.declined(e) ? "Not shown." : api.errorText(e), "error"));
  });
  rotating.input.addEventListener("change", () => {
    api
      .recoveryEdit(entry.id, rotating.input.checked, null)
      .then((next) => {
        entry = next;
        draw();
        app.toast("Saved");
      })
      .catch((e: unknown) => app.toast(api.errorText(e), "error"));
  });
  more.addEventListener("click", () => app.show(recoveryAddScreen(app, { kind: "entry", id: entry.id, label: entry.label })));
  removeAll.addEventListener("click", () => {
    void confirmDialog({
      title: `Remove every recovery code of ${entry.label}?`,
      body: [el("p", {}, "They may be your only way back in if you lose this computer. Remove them only if you have generated new ones or turned off two-factor authentication there.")],
      confirm: `Remove the codes of ${entry.label}`,
      danger: true,
      testid: "recovery-remove-dialog",
    }).then(async (sure) => {
      if (!sure) {
        return;
      }
      try {
        await api.recoveryRemove(entry.id, null);
        await app.refreshAccounts();
        app.toast(`Removed the recovery codes of ${entry.label}`);
        app.show(recoveryListScreen(app));
      } catch (e) {
        app.toast(api.errorText(e), "error");
      }
    });
  });

  const header = screenHeader(app, entry.label, "recovery-entry-title");
  const back = header.querySelector("button");
  if (back) {
    // Back leads to the list of services, not the accounts.
    const toList = back.cloneNode(true) as HTMLButtonElement;
    toList.setAttribute("aria-label", "Back to recovery codes");
    toList.addEventListener("click", () => app.show(recoveryListScreen(app)));
    back.replaceWith(toList);
  }
  draw();
  const root = el(
    "section",
    { class: "screen recovery-entry" },
    header,
    el("div", { class: "card" }, summary, history, warnings, el("div", { class: "actions start" }, reveal, more)),
    codes,
    el("div", { class: "card" }, rotating.wrap, entry.note ? el("p", { class: "muted" }, entry.note) : ""),
    el("section", { class: "card danger-zone", "aria-label": "Remove" }, removeAll),
  );
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root, accountsChanged: () => void reload() };
}

/** Adding codes: for an existing entry, an account, or a new service. */
export function recoveryAddScreen(app: App, fixed: { kind: "entry" | "account"; id: string; label: string } | null): Screen {
  const NEW = "new-service";
  const target = selectField({
    label: "For",
    choices: [
      ...app.accounts.map((a): [string, string] => [`account:${a.id}`, accountLabel(a)]),
      [NEW, "A service with no account in Tessera…"],
    ],
    value: app.accounts.length > 0 ? `account:${app.accounts[0]?.id ?? ""}` : NEW,
    testid: "recovery-target",
  });
  const issuer = textField({ label: "Service", testid: "recovery-issuer", attrs: { autocomplete: "off" } });
  const name = textField({ label: "Account name (optional)", testid: "recovery-name", attrs: { autocomplete: "off" } });
  const serviceFields = el("div", { class: "stack" }, issuer.wrap, name.wrap);
  const block = textArea({
    label: "Recovery codes",
    hint: "Paste them as the site shows them, or the text of the file it offers; numbering and headings are ignored.",
    testid: "recovery-text",
    attrs: { rows: "8", spellcheck: "false", autocomplete: "off", class: "mono" },
  });
  const found = el("p", { class: "field-hint", "aria-live": "polite", "data-testid": "recovery-found" });
  block.wrap.append(found);
  const rotating = checkbox({
    label: "The service gives a new code each time one is used",
    checked: false,
    testid: "recovery-add-rotating",
  });
  // Whether the pasted codes replace the kept set or are more of it: shown
  // when there is a kept set, asked (nothing chosen) when they share no
  // code with it.
  const question = el("legend", {}, "");
  const choice = (value: "replace" | "add", label: string): { wrap: HTMLElement; input: HTMLInputElement } => {
    const id = `recovery-mode-${value}`;
    const input = el("input", { type: "radio", name: "recovery-mode", value, id, "data-testid": id });
    return { wrap: el("div", { class: "check" }, input, el("label", { for: id }, label)), input };
  };
  const replaceChoice = choice("replace", "A new set that replaces the old one (its codes are kept as history, marked replaced)");
  const addChoice = choice("add", "More codes to add to the current set");
  const modeError = el("p", { class: "field-error", role: "alert", "data-testid": "recovery-mode-error" });
  const mode = el("fieldset", { class: "stack", "data-testid": "recovery-mode" }, question, replaceChoice.wrap, addChoice.wrap, modeError);
  mode.hidden = true;
  const error = formError("recovery-add-error");
  const save = el("button", { type: "submit", class: "primary", "data-testid": "recovery-save" }, "Save codes");
  const form = el("form", { class: "card", novalidate: "", "aria-label": "Add recovery codes" });
  if (fixed) {
    form.append(el("p", {}, `For ${fixed.label}`));
  } else {
    form.append(target.wrap, serviceFields);
  }
  form.append(block.wrap, mode, rotating.wrap, error, save);
  /** Where the codes go, when known without asking the user more. */
  const destination = (): RecoveryTarget | null => {
    if (fixed) {
      return { kind: fixed.kind, id: fixed.id };
    }
    if (target.input.value === NEW) {
      return null;
    }
    return { kind: "account", id: target.input.value.slice("account:".length) };
  };
  const destinationLabel = (): string => {
    if (fixed) {
      return fixed.label;
    }
    return target.input.selectedOptions[0]?.textContent ?? "";
  };

  let parseTimer: number | undefined;
  // Only the answer for the latest text counts, whatever order answers come in.
  let asked = 0;
  const parse = (): void => {
    asked += 1;
    const questionNumber = asked;
    if (block.input.value.trim() === "") {
      found.textContent = "";
      block.show(null);
      mode.hidden = true;
      return;
    }
    api
      .recoveryParse(block.input.value, destination())
      .then((parsed) => {
        if (questionNumber !== asked) {
          return;
        }
        block.show(null);
        const n = parsed.codes.length;
        // In clear: the user just pasted them. Masked once saved.
        found.textContent = `Found ${n} code${n === 1 ? "" : "s"}: ${parsed.codes.join("  ")}`;
        const kept = `${parsed.current} code${parsed.current === 1 ? "" : "s"}`;
        mode.hidden = parsed.current === 0 || parsed.rotating;
        modeError.textContent = "";
        if (parsed.askReplace) {
          question.textContent = `These codes share none with the ${kept} kept for ${destinationLabel()}. Are they:`;
          replaceChoice.input.checked = false;
          addChoice.input.checked = false;
        } else {
          question.textContent = `${destinationLabel()} has ${kept} kept. These codes are:`;
          if (!replaceChoice.input.checked) {
            addChoice.input.checked = true;
          }
        }
      })
      .catch((e: unknown) => {
        if (questionNumber !== asked) {
          return;
        }
        found.textContent = "";
        mode.hidden = true;
        block.show(api.errorText(e));
      });
  };
  const showTarget = (): void => {
    serviceFields.hidden = fixed !== null || target.input.value !== NEW;
  };
  target.input.addEventListener("change", () => {
    showTarget();
    parse();
  });
  showTarget();
  block.input.addEventListener("input", () => {
    window.clearTimeout(parseTimer);
    parseTimer = window.setTimeout(parse, 250);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    let to: RecoveryTarget;
    if (fixed) {
      to = { kind: fixed.kind, id: fixed.id };
    } else if (target.input.value === NEW) {
      const verdict = issuer.input.value.trim() === "" ? "Name the service the codes are for." : validateLabel(issuer.input.value, "service");
      if (!issuer.show(verdict) || !name.show(validateLabel(name.input.value, "account name"))) {
        form.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
        return;
      }
      to = { kind: "service", issuer: issuer.input.value.trim(), name: name.input.value.trim() };
    } else {
      to = { kind: "account", id: target.input.value.slice("account:".length) };
    }
    if (!block.show(block.input.value.trim() === "" ? "Paste the codes the site showed." : null)) {
      block.input.focus();
      return;
    }
    if (!mode.hidden && !replaceChoice.input.checked && !addChoice.input.checked) {
      modeError.textContent = "Say whether these codes replace the old set or add to it.";
      replaceChoice.input.focus();
      return;
    }
    const replace = !mode.hidden && replaceChoice.input.checked;
    void busy(form, async () => {
      try {
        const entry = await api.recoveryAdd(to, block.input.value, rotating.input.checked, null, replace);
        block.input.value = "";
        await app.refreshAccounts();
        app.toast(
          replace
            ? `Saved the new set of ${entry.total} recovery codes for ${entry.label}; the old ones are kept as history`
            : `Saved ${entry.total} recovery codes for ${entry.label}`,
        );
        app.show(recoveryEntryScreen(app, entry));
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });
  const root = el("section", { class: "screen recovery-add" }, screenHeader(app, "Add recovery codes", "recovery-add-title"), form);
  // The kept set may have changed elsewhere: compare the codes with it anew.
  return { root, focus: root.querySelector<HTMLElement>("h1") ?? root, accountsChanged: parse };
}
