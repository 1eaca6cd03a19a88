import { describe, expect, it } from "vitest";
import { issuerIcon, Ring } from "./widgets";

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

describe("countdown ring", () => {
  it("shows the seconds left as text over an arc of the share left", () => {
    const ring = new Ring();
    // A 30 s period from 60 to 90 s, 12.5 s in: 17.5 s left shows 18.
    ring.update(60, 90, 72_500);
    expect(ring.node.dataset.seconds).toBe("18");
    expect(ring.node.querySelector(".ring-text")?.textContent).toBe("18");
    // Not SVG text, which cost the web process kilobytes per row.
    expect(ring.node.querySelector("svg text")).toBeNull();
    const arc = ring.node.querySelector(".ring-arc");
    const circumference = Number(arc?.getAttribute("stroke-dasharray"));
    expect(Number(arc?.getAttribute("stroke-dashoffset"))).toBeCloseTo(circumference * (12.5 / 30), 2);
    expect(ring.node.classList.contains("low")).toBe(false);
  });

  it("turns to its warning colour in the last seconds", () => {
    const ring = new Ring();
    ring.update(60, 90, 86_000);
    expect(ring.node.dataset.seconds).toBe("4");
    expect(ring.node.classList.contains("low")).toBe(true);
    ring.update(90, 120, 90_000);
    expect(ring.node.classList.contains("low")).toBe(false);
  });
});
