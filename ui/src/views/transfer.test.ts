import { describe, expect, it } from "vitest";
import type { ExportFormat, GoogleExport } from "../api";
import { backupProblem, exportWarning, importLine, seriesViewer } from "./transfer";

function format(id: string, password: ExportFormat["password"], kind: ExportFormat["kind"] = "file"): ExportFormat {
  return { id, name: id, description: "", password, kind };
}

function byTestid<T extends HTMLElement>(root: HTMLElement, testid: string): T {
  const node = root.querySelector<T>(`[data-testid=${testid}]`);
  if (!node) {
    throw new Error(`no ${testid}`);
  }
  return node;
}

describe("import", () => {
  it("refuses a backup too large to be one before reading it", () => {
    expect(backupProblem({ name: "big.json", size: 200 * 1024 * 1024 })).toBe(
      "big.json is 200 MB; an authenticator's export is at most 64 MB.",
    );
    expect(backupProblem({ name: "aegis.json", size: 4096 })).toBeNull();
  });
});

describe("export warnings", () => {
  it("warn about everything written in the clear, and only that", () => {
    expect(exportWarning(format("tessera", "required"), true)).toBe("");
    expect(exportWarning(format("aegis", "optional"), true)).toBe("");
    expect(exportWarning(format("aegis", "optional"), false)).toMatch(/not be encrypted/);
    expect(exportWarning(format("otpauth-uris", "never"), false)).toMatch(/not be encrypted/);
    expect(exportWarning(format("paper", "never"), false)).toMatch(/recovery codes in the clear/);
    expect(exportWarning(format("google", "never", "qr-series"), false)).toMatch(/photographs them/);
    expect(exportWarning(undefined, false)).toBe("");
  });
});

describe("the Google Authenticator series viewer", () => {
  const series: GoogleExport = {
    images: ["data:image/png;base64,AAAA", "data:image/png;base64,BBBB", "data:image/png;base64,CCCC"],
    folder: null,
    accounts: 25,
    codes: 3,
    notes: ["not exported: Odd (7 s): Google Authenticator only makes 30-second codes"],
  };

  it("steps through every code, never past either end", () => {
    let hidden = 0;
    const viewer = seriesViewer(series, () => (hidden += 1));
    const position = byTestid(viewer, "google-position");
    const image = byTestid<HTMLImageElement>(viewer, "google-qr");
    const previous = byTestid<HTMLButtonElement>(viewer, "google-previous");
    const next = byTestid<HTMLButtonElement>(viewer, "google-next");
    expect(position.textContent).toBe("Code 1 of 3");
    expect(image.getAttribute("src")).toBe(series.images[0]);
    expect(image.alt).toMatch(/1 of 3, holding secret keys/);
    expect(previous.disabled).toBe(true);
    next.click();
    next.click();
    expect(position.textContent).toBe("Code 3 of 3");
    expect(image.getAttribute("src")).toBe(series.images[2]);
    expect(next.disabled).toBe(true);
    previous.click();
    expect(position.textContent).toBe("Code 2 of 3");
    expect(viewer.textContent).toContain("25 accounts in 3 QR codes");
    expect(viewer.textContent).toContain("not exported: Odd");
    byTestid<HTMLButtonElement>(viewer, "google-hide").click();
    expect(hidden).toBe(1);
  });
});

describe("import wording", () => {
  it("regression: never says \"a Aegis\": format names get no article", () => {
    expect(importLine("Aegis vault", "no")).toBe("Read the file (Aegis vault).");
    expect(importLine("1Password export", "yes")).toBe("The file (1Password export) is encrypted.");
    expect(importLine("Authy", "with-key-file")).toBe("The file (Authy) is encrypted: give its password, its key file, or both.");
    expect(importLine(null, "yes")).toBe("The file is encrypted.");
    expect(importLine(null, "no")).toBe("");
    for (const line of [importLine("Aegis vault", "no"), importLine("andOTP backup", "yes")]) {
      expect(line).not.toMatch(/\ba [AEIOUaeiou]/);
    }
  });
});
