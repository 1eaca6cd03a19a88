import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { el } from "../dom";
import { Tooltips } from "./widgets";

describe("tooltips", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("regression: a tooltip does not linger onto the next screen", () => {
    const tooltips = new Tooltips();
    const button = el("button", { type: "button", title: "Settings" });
    document.body.replaceChildren(button);
    button.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    // No native title left for GTK to keep on screen; the label stays.
    expect(button.hasAttribute("title")).toBe(false);
    expect(button.getAttribute("aria-label")).toBe("Settings");
    vi.advanceTimersByTime(1000);
    expect(document.querySelector("[data-testid=tooltip]")?.textContent).toBe("Settings");
    // The screen changes under the pointer.
    tooltips.hide();
    button.remove();
    expect(document.querySelector("[data-testid=tooltip]")).toBeNull();
  });

  it("goes on a click, and a pending one never shows once the control is gone", () => {
    new Tooltips();
    const button = el("button", { type: "button", title: "Lock" }, "Lock");
    document.body.replaceChildren(button);
    button.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    // A control with text keeps it as its name.
    expect(button.hasAttribute("aria-label")).toBe(false);
    button.dispatchEvent(new MouseEvent("pointerdown", { bubbles: true }));
    vi.advanceTimersByTime(1000);
    expect(document.querySelector("[data-testid=tooltip]")).toBeNull();
    button.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    button.remove();
    vi.advanceTimersByTime(1000);
    expect(document.querySelector("[data-testid=tooltip]")).toBeNull();
  });
});
