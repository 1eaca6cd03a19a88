import { describe, expect, it } from "vitest";
import { countText, day, historyText, slotState } from "./recovery";

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

describe("replaced sets and code states", () => {
  it("names the history of replaced sets, or nothing", () => {
    expect(historyText({ replaced: 0 })).toBe("");
    expect(historyText({ replaced: 1 })).toBe("1 code of older sets kept as history");
    expect(historyText({ replaced: 16 })).toBe("16 codes of older sets kept as history");
  });

  it("tells a replaced code from a used or unused one", () => {
    expect(slotState({ usedAt: null, replacedAt: null })).toBe("unused");
    expect(slotState({ usedAt: 5, replacedAt: null })).toBe("used");
    expect(slotState({ usedAt: 5, replacedAt: 9 })).toBe("replaced");
    expect(slotState({ usedAt: null, replacedAt: 9 })).toBe("replaced");
  });
});
