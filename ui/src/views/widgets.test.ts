import { describe, expect, it } from "vitest";
import { issuerIcon } from "./widgets";

describe("issuer icon", () => {
  it("draws a known issuer's logo as inline SVG on the brand's colour", () => {
    const icon = issuerIcon("GitHub", "alice");
    expect(icon.classList.contains("brand")).toBe(true);
    expect(icon.dataset.brand).toBe("github");
    expect(icon.getAttribute("aria-hidden")).toBe("true");
    expect(icon.textContent).toBe("");
    const path = icon.querySelector("svg path");
    expect(path?.namespaceURI).toBe("http://www.w3.org/2000/svg");
    expect(path?.getAttribute("d")).toMatch(/^M/);
    expect(icon.style.getPropertyValue("--brand-bg")).toBe("#181717");
    expect(icon.style.getPropertyValue("--brand-fg")).toBe("#ffffff");
  });

  it("falls back to letters for an unknown issuer, or none", () => {
    const icon = issuerIcon("Example Bank", "alice");
    expect(icon.classList.contains("brand")).toBe(false);
    expect(icon.textContent).toBe("EB");
    expect(icon.querySelector("svg")).toBeNull();
    expect(issuerIcon("", "alice@gmail.com").textContent).toBe("A");
  });
});
