import { describe, expect, it, vi } from "vitest";
import type { Account } from "../api";
import { AccountRow } from "./account-row";
import type { App } from "./screen";

const account = {
  id: "a1",
  issuer: "Example",
  name: "alice",
  kind: "totp",
  favourite: false,
  tags: [],
  recoveryUnused: null,
  recoveryWarning: null,
} as unknown as Account;

function rowIn(app: Partial<App>): AccountRow {
  const row = new AccountRow(account, app as App);
  document.body.replaceChildren(row.li);
  return row;
}

describe("an account row", () => {
  it("keeps the next code's line while it is empty, so nothing moves when it shows", () => {
    const row = rowIn({});
    const next = row.li.querySelector<HTMLElement>("[data-testid=next-code]");
    // In the layout (not display: none), empty and hidden from view.
    expect(next?.hidden).toBe(false);
    expect(next?.hasAttribute("data-empty")).toBe(true);
    row.view = { code: "123456", next: "654321", validFrom: 0, validUntil: 30, error: null } as unknown as AccountRow["view"];
    row.draw(27_000, false);
    expect(next?.textContent).toBe("next 654 321");
    expect(next?.hasAttribute("data-empty")).toBe(false);
  });

  it("right-click shows the app's menu, Copy and Details, in place of WebKit's", () => {
    const goDetails = vi.fn();
    const copy = vi.fn(() => Promise.resolve(true));
    const row = rowIn({ goDetails, copy });
    const event = new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 40, clientY: 20 });
    row.copyButton.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    const items = [...document.querySelectorAll("[data-testid=popup-menu] [role=menuitem]")].map((b) => b.textContent);
    expect(items).toEqual(["Copy the code", "Details"]);
    document.querySelector<HTMLButtonElement>("[data-testid=menu-details]")?.click();
    expect(goDetails).toHaveBeenCalledWith("a1");
    expect(document.querySelector("[data-testid=popup-menu]")).toBeNull();
  });

  it("opens the menu from the keyboard and closes it on Escape, back on the row", () => {
    const row = rowIn({});
    row.copyButton.focus();
    row.copyButton.dispatchEvent(new KeyboardEvent("keydown", { key: "F10", shiftKey: true, bubbles: true, cancelable: true }));
    const menu = document.querySelector<HTMLElement>("[data-testid=popup-menu]");
    expect(document.activeElement?.getAttribute("data-testid")).toBe("menu-copy");
    const escape = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    document.activeElement?.dispatchEvent(escape);
    expect(escape.defaultPrevented).toBe(true);
    expect(menu?.isConnected).toBe(false);
    expect(document.activeElement).toBe(row.copyButton);
  });
});
