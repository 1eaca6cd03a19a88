// Labelled form fields with their own error line, so every field can say
// what is wrong with it, and screen readers hear it (aria-invalid and
// aria-describedby point at the message).
import { el, uniqueId } from "../dom";
import type { Verdict } from "../lib/validate";

/** A labelled input with an error line. */
export interface Field<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement> {
  wrap: HTMLDivElement;
  input: E;
  error: HTMLParagraphElement;
  /** Shows a verdict (null clears it); returns whether the field is fine. */
  show(verdict: Verdict): boolean;
}

interface FieldOptions {
  label: string;
  hint?: string;
  testid?: string;
  attrs?: Record<string, string>;
}

function wire<E extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
  input: E,
  options: FieldOptions,
): Field<E> {
  const id = input.id || uniqueId("field");
  input.id = id;
  const errorId = `${id}-error`;
  const described: string[] = [errorId];
  const label = el("label", { for: id }, options.label);
  const wrap = el("div", { class: "field" }, label);
  if (options.hint) {
    const hintId = `${id}-hint`;
    described.unshift(hintId);
    wrap.append(el("p", { class: "field-hint", id: hintId }, options.hint));
  }
  const error = el("p", { class: "field-error", id: errorId, "aria-live": "polite" });
  if (options.testid) {
    input.dataset.testid = options.testid;
    error.dataset.testid = `${options.testid}-error`;
  }
  input.setAttribute("aria-describedby", described.join(" "));
  wrap.append(input, error);
  return {
    wrap,
    input,
    error,
    show(verdict: Verdict): boolean {
      error.textContent = verdict ?? "";
      if (verdict) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      return verdict === null;
    },
  };
}

/** A one-line text (or password, number) input. */
export function textField(options: FieldOptions & { type?: string; value?: string }): Field<HTMLInputElement> {
  const input = el("input", { type: options.type ?? "text", ...options.attrs });
  input.value = options.value ?? "";
  return wire(input, options);
}

/** A multi-line text area. */
export function textArea(options: FieldOptions & { value?: string }): Field<HTMLTextAreaElement> {
  const input = el("textarea", { rows: "4", ...options.attrs });
  input.value = options.value ?? "";
  return wire(input, options);
}

/** A select with (value, label) options. */
export function selectField(
  options: FieldOptions & { choices: [string, string][]; value: string },
): Field<HTMLSelectElement> {
  const input = el("select", { ...options.attrs });
  for (const [value, text] of options.choices) {
    const option = el("option", { value }, text);
    input.append(option);
  }
  input.value = options.value;
  return wire(input, options);
}

/** A checkbox with its label after it, and an optional explanation. */
export function checkbox(options: { label: string; checked: boolean; explain?: string; testid?: string }): {
  wrap: HTMLDivElement;
  input: HTMLInputElement;
} {
  const id = uniqueId("check");
  const input = el("input", { type: "checkbox", id });
  input.checked = options.checked;
  if (options.testid) {
    input.dataset.testid = options.testid;
  }
  const wrap = el("div", { class: "check" }, input, el("label", { for: id }, options.label));
  if (options.explain) {
    const explainId = `${id}-explain`;
    input.setAttribute("aria-describedby", explainId);
    wrap.append(el("p", { class: "field-hint", id: explainId }, options.explain));
  }
  return { wrap, input };
}

/** A line for errors of the whole form (role=alert, announced at once). */
export function formError(testid: string): HTMLParagraphElement {
  return el("p", { class: "form-error", role: "alert", "data-testid": testid });
}

/** Disables a form's buttons while `work` runs. */
export async function busy<T>(form: HTMLElement, work: () => Promise<T>): Promise<T> {
  const buttons = [...form.querySelectorAll("button")].filter((b) => !b.disabled);
  for (const b of buttons) {
    b.disabled = true;
  }
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    for (const b of buttons) {
      b.disabled = false;
    }
    form.removeAttribute("aria-busy");
  }
}

/**
 * Whether a field is losing focus to its form's submit button: the submit
 * handler checks every field then, and showing an error on blur would move
 * the button away from under the pointer before the click completes.
 */
export function leavingToSubmit(event: Event): boolean {
  const next = event instanceof FocusEvent ? event.relatedTarget : null;
  return next instanceof HTMLButtonElement && next.type === "submit";
}
