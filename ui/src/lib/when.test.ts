import { describe, expect, it } from "vitest";
import { ago, kib, localTime, plural, when } from "./when";

describe("moments", () => {
  it("reads as local date and time to the minute", () => {
    const moment = new Date(2026, 11, 4, 9, 5, 59).getTime() / 1000;
    expect(localTime(moment)).toBe("2026-12-04 09:05");
  });

  it("says how long ago in the largest whole unit", () => {
    const now = 1_800_000_000;
    expect(ago(now, now)).toBe("just now");
    expect(ago(now - 59, now)).toBe("just now");
    expect(ago(now - 60, now)).toBe("1 minute ago");
    expect(ago(now - 3599, now)).toBe("59 minutes ago");
    expect(ago(now - 7200, now)).toBe("2 hours ago");
    expect(ago(now - 86_400, now)).toBe("1 day ago");
    expect(ago(now - 31 * 86_400, now)).toBe("31 days ago");
    expect(ago(now + 500, now)).toBe("just now");
    expect(when(now - 120, now)).toBe(`${localTime(now - 120)} (2 minutes ago)`);
  });

  it("counts and sizes as people read them", () => {
    expect(plural(1, "account")).toBe("1 account");
    expect(plural(0, "account")).toBe("0 accounts");
    expect(kib(1)).toBe("1 KiB");
    expect(kib(4096)).toBe("4 KiB");
    expect(kib(4097)).toBe("5 KiB");
  });
});
