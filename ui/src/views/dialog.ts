// A modal confirmation built on <dialog>: focus moves into it, Escape
// cancels, and the confirming button says exactly what will happen.
import { el, uniqueId } from "../dom";

interface ConfirmOptions {
  title: string;
  body: (Node | string)[];
  confirm: string;
  danger?: boolean;
  testid?: string;
}

/** Asks for confirmation; resolves true only if the confirm button was used. */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const titleId = uniqueId("dialog-title");
  const cancel = el("button", { type: "button", "data-testid": "dialog-cancel" }, "Cancel");
  const ok = el(
    "button",
    { type: "button", class: options.danger ? "danger" : "primary", "data-testid": "dialog-confirm" },
    options.confirm,
  );
  const dialog = el(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId, "data-testid": options.testid ?? "dialog" },
    el("h2", { id: titleId }, options.title),
    el("div", { class: "dialog-body" }, ...options.body),
    el("div", { class: "dialog-actions" }, cancel, ok),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    cancel.addEventListener("click", () => dialog.close());
    ok.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    // The safe choice has the focus.
    cancel.focus();
  });
}

interface PromptOptions {
  title: string;
  body: (Node | string)[];
  label: string;
  confirm: string;
  cancel?: string;
  testid?: string;
  /** The input's type ("text" unless given: "password" for a secret). */
  inputType?: string;
  /** Checks the answer; a message keeps the dialog open. */
  check?: (value: string) => string | null;
}

/** Asks for one line of text; resolves to it, or null if cancelled. */
export function promptDialog(options: PromptOptions): Promise<string | null> {
  const titleId = uniqueId("dialog-title");
  const inputId = uniqueId("dialog-input");
  const input = el("input", { type: options.inputType ?? "text", id: inputId, autocomplete: "off", spellcheck: "false", "data-testid": "dialog-input" });
  const error = el("p", { class: "field-error", role: "alert", "data-testid": "dialog-error" });
  const cancel = el("button", { type: "button", "data-testid": "dialog-cancel" }, options.cancel ?? "Cancel");
  const ok = el("button", { type: "submit", class: "primary", "data-testid": "dialog-confirm" }, options.confirm);
  const form = el(
    "form",
    { method: "dialog", novalidate: "" },
    el("h2", { id: titleId }, options.title),
    el("div", { class: "dialog-body" }, ...options.body, el("div", { class: "field" }, el("label", { for: inputId }, options.label), input, error)),
    el("div", { class: "dialog-actions" }, cancel, ok),
  );
  const dialog = el("dialog", { class: "dialog", "aria-labelledby": titleId, "data-testid": options.testid ?? "dialog" }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer: string | null = null;
    cancel.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const verdict = options.check?.(input.value) ?? null;
      if (verdict) {
        error.textContent = verdict;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      answer = input.value;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    input.focus();
  });
}
