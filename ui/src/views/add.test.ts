import { describe, expect, it } from "vitest";
import { manualForm } from "./add";
import type { App } from "./screen";

function field(form: HTMLElement, testid: string): HTMLInputElement {
  const node = form.querySelector<HTMLInputElement>(`[data-testid=${testid}]`);
  if (!node) {
    throw new Error(`no ${testid}`);
  }
  return node;
}

function type(input: HTMLInputElement | HTMLSelectElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? "change" : "input"));
}

describe("the hand-entry form", () => {
  // Submitting an invalid form never reaches the app.
  const app = {} as App;

  it("marks every wrong field on submit and focuses the first", () => {
    const form = manualForm(app);
    document.body.replaceChildren(form);
    type(field(form, "secret"), "JBSW0");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(field(form, "issuer-error").textContent).toMatch(/issuer, a name, or both/);
    expect(field(form, "secret-error").textContent).toMatch(/base32 has no 0/);
    expect(field(form, "secret").getAttribute("aria-invalid")).toBe("true");
    expect(field(form, "secret").getAttribute("aria-describedby")).toContain(field(form, "secret-error").id);
    expect(document.activeElement).toBe(field(form, "issuer"));
  });

  it("clears an error as soon as the field is fixed", () => {
    const form = manualForm(app);
    document.body.replaceChildren(form);
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(field(form, "secret-error").textContent).not.toBe("");
    type(field(form, "secret"), "JBSWY3DPEHPK3PXP");
    expect(field(form, "secret-error").textContent).toBe("");
    expect(field(form, "secret").hasAttribute("aria-invalid")).toBe(false);
  });

  it("shows only the fields the chosen type uses, and checks them", () => {
    const form = manualForm(app);
    document.body.replaceChildren(form);
    const kind = form.querySelector<HTMLSelectElement>("[data-testid=kind]");
    if (!kind) {
      throw new Error("no kind");
    }
    const hidden = (testid: string): boolean => field(form, testid).closest<HTMLElement>(".field")?.hidden ?? true;
    expect([hidden("period"), hidden("counter"), hidden("digits")]).toEqual([false, true, false]);
    type(kind, "hotp");
    expect([hidden("period"), hidden("counter"), hidden("digits")]).toEqual([true, false, false]);
    type(kind, "steam");
    expect([hidden("period"), hidden("counter"), hidden("digits")]).toEqual([true, true, true]);
    type(kind, "hotp");
    type(field(form, "issuer"), "Example");
    type(field(form, "secret"), "JBSWY3DPEHPK3PXP");
    type(field(form, "counter"), "-3");
    type(field(form, "digits"), "11");
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(field(form, "counter-error").textContent).toMatch(/whole number/);
    expect(field(form, "digits-error").textContent).toMatch(/6 to 10/);
    // The first wrong field is in the advanced part, which opens to show it.
    expect(form.querySelector("details")?.open).toBe(true);
    expect(document.activeElement).toBe(field(form, "digits"));
  });
});
