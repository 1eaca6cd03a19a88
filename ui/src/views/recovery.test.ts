import { describe, expect, it } from "vitest";
import { backupProblem } from "./transfer";
import { countText, day } from "./recovery";

describe("recovery code helpers", () => {
  it("counts what is left", () => {
    expect(countText({ unused: 7, total: 10 })).toBe("7 of 10 unused");
    expect(countText({ unused: 0, total: 0 })).toBe("no codes");
  });

  it("shows dates as UTC days, like the CLI", () => {
    expect(day(0)).toBe("1970-01-01");
    expect(day(1_700_000_000)).toBe("2023-11-14");
  });
});

describe("import", () => {
  it("refuses a backup too large to be one before reading it", () => {
    expect(backupProblem({ name: "big.json", size: 200 * 1024 * 1024 })).toBe(
      "big.json is 200 MB; an authenticator's export is at most 64 MB.",
    );
    expect(backupProblem({ name: "aegis.json", size: 4096 })).toBeNull();
  });
});
