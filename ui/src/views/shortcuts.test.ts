import { describe, expect, it } from "vitest";
import { asksForShortcuts, SHORTCUTS, shortcutsScreen } from "./shortcuts";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe("shortcuts page", () => {
  it("opens on F1 anywhere and on ? outside text fields", () => {
    expect(asksForShortcuts(key("F1"), false)).toBe(true);
    expect(asksForShortcuts(key("F1"), true)).toBe(true);
    expect(asksForShortcuts(key("?"), false)).toBe(true);
    // A ? typed into a field is text.
    expect(asksForShortcuts(key("?"), true)).toBe(false);
    expect(asksForShortcuts(key("F1", { ctrlKey: true }), false)).toBe(false);
    expect(asksForShortcuts(key("a"), false)).toBe(false);
  });

  it("lists every key with what it does, and Back returns", () => {
    let back = 0;
    const screen = shortcutsScreen(() => (back += 1));
    const terms = [...screen.root.querySelectorAll("dt")].map((dt) => dt.textContent);
    expect(terms).toHaveLength(SHORTCUTS.length);
    for (const needed of ["F1 or ?", "Escape or Alt+←", "Ctrl+L"]) {
      expect(terms).toContain(needed);
    }
    screen.root.querySelector<HTMLButtonElement>("[data-testid=back]")?.click();
    expect(back).toBe(1);
  });
});
