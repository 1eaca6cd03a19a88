import { describe, expect, it } from "vitest";
import { hueOf, initials } from "./icon";

describe("lettered icons", () => {
  it("takes one or two initials", () => {
    expect(initials("GitHub", "")).toBe("G");
    expect(initials("Example Bank", "")).toBe("EB");
    expect(initials("", "alice@example.com")).toBe("A");
    expect(initials("  ", "")).toBe("?");
    expect(initials("ñandú", "")).toBe("Ñ");
    expect(initials("@@", "")).toBe("?");
  });

  it("gives an issuer the same hue every time", () => {
    expect(hueOf("github")).toBe(hueOf("github"));
    expect(hueOf("github")).not.toBe(hueOf("gitlab"));
    expect(hueOf("x")).toBeGreaterThanOrEqual(0);
    expect(hueOf("x")).toBeLessThan(360);
  });
});
