import { describe, expect, it } from "vitest";
import type { ScanResult } from "../api";
import { renderFound, seriesText } from "./found";
import type { App } from "./screen";

describe("a multi-code export", () => {
  it("says which codes of an export are still to scan", () => {
    expect(seriesText({ size: 3, missing: [2, 3] })).toBe(
      "Google Authenticator export: 1 of 3 codes scanned. Show code 2 and 3 and scan again.",
    );
    expect(seriesText({ size: 3, missing: [1, 2, 3].slice(1, 2) })).toContain("Show code 2 and scan again");
    expect(seriesText({ size: 2, missing: [] })).toBe("Google Authenticator export: all 2 codes scanned.");
  });
});

describe("the list of accounts found", () => {
  it("says which recovery codes come along from a backup", () => {
    const card = document.createElement("div");
    const results = document.createElement("div");
    const error = document.createElement("p");
    card.append(results, error);
    const result: ScanResult = {
      found: [
        { index: 0, issuer: "GitHub", name: "nia", kind: "totp", duplicate: true, recoveryCodes: 8 },
        { index: 1, issuer: "ACME", name: "nia", kind: "totp", duplicate: false, recoveryCodes: 0 },
      ],
      series: null,
      skipped: [],
      notes: [],
      recoveryServices: 2,
    };
    renderFound({} as App, card, results, error, result);
    const labels = [...results.querySelectorAll("label")].map((l) => l.textContent);
    expect(labels).toEqual(["GitHub (nia) (already in Tessera) · 8 recovery codes", "ACME (nia)"]);
    expect(results.querySelector("[data-testid=found-services]")?.textContent).toMatch(/^Recovery codes of 2 services without an account are kept too/);
  });
});
