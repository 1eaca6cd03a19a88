import { describe, expect, it } from "vitest";
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
