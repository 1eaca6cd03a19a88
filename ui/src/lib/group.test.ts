import { describe, expect, it } from "vitest";
import { groupCode, spokenCode } from "./group";

describe("groupCode", () => {
  it("groups codes of every length like the Rust side", () => {
    expect(groupCode("123456")).toBe("123 456");
    expect(groupCode("1234567")).toBe("123 4567");
    expect(groupCode("12345678")).toBe("1234 5678");
    expect(groupCode("123456789")).toBe("123 456 789");
    expect(groupCode("1234567890")).toBe("12345 67890");
  });

  it("leaves Steam's five characters and odd lengths alone", () => {
    expect(groupCode("GG5F5")).toBe("GG5F5");
    expect(groupCode("")).toBe("");
    expect(groupCode("12345678901")).toBe("12345678901");
  });

  it("spells codes out for screen readers, group by group", () => {
    expect(spokenCode("287082")).toBe("2 8 7, 0 8 2");
    expect(spokenCode("GG5F5")).toBe("G G 5 F 5");
  });
});
