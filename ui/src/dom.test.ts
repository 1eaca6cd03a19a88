import { describe, expect, it } from "vitest";
import { el } from "./dom";

describe("el", () => {
  it("treats child strings as text, never as markup", () => {
    const node = el("p", {}, "<img src=x onerror=alert(1)>");
    expect(node.children.length).toBe(0);
    expect(node.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("sets attributes", () => {
    const node = el("button", { type: "button", "aria-label": "Copy" });
    expect(node.getAttribute("aria-label")).toBe("Copy");
  });
});
