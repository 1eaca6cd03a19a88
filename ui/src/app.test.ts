import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { el } from "./dom";

vi.mock("./api", async (original) => ({
  ...(await original<typeof import("./api")>()),
  appInfo: vi.fn(() => Promise.resolve({ name: "Tessera", version: "0" })),
  currentTheme: vi.fn(() => Promise.resolve("dark")),
  activity: vi.fn(() => Promise.resolve(undefined)),
}));

const { App } = await import("./app");

function press(target: EventTarget, key: string, mods: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...mods });
  target.dispatchEvent(event);
  return event;
}

/** A sub-screen with a Back button that counts its clicks, and a text field. */
function subScreen(): { root: HTMLElement; field: HTMLInputElement; backs: () => number } {
  let backs = 0;
  const back = el("button", { type: "button", "data-testid": "back" });
  back.addEventListener("click", () => (backs += 1));
  const field = el("input", { type: "text" });
  const root = el("section", {}, el("h1", { tabindex: "-1" }, "Details"), back, field);
  return { root, field, backs: () => backs };
}

describe("the app's keys", () => {
  // One app: each listens on the window, as the page's one app does.
  let app: InstanceType<typeof App>;
  const root = el("div");
  beforeAll(() => {
    app = new App(root);
  });
  beforeEach(() => {
    document.body.replaceChildren(root);
  });

  it("applies the theme Rust resolves before any screen", async () => {
    await vi.waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
  });

  it("go back on Escape and Alt+Left, from a text field too", () => {
    const screen = subScreen();
    app.show(screen);
    expect(press(document.body, "Escape").defaultPrevented).toBe(true);
    expect(screen.backs()).toBe(1);
    press(document.body, "ArrowLeft", { altKey: true });
    expect(screen.backs()).toBe(2);
    press(screen.field, "Escape");
    expect(screen.backs()).toBe(3);
    // Plain Left moves the caret, and an open dialog keeps its Escape.
    press(screen.field, "ArrowLeft");
    const dialog = el("dialog", { open: "" });
    document.body.append(dialog);
    press(dialog, "Escape");
    expect(screen.backs()).toBe(3);
  });

  it("opens the shortcuts on F1 or ?, and Back returns to the screen it covered", () => {
    const screen = subScreen();
    app.show(screen);
    press(screen.field, "?");
    expect(document.querySelector("[data-testid=shortcuts]")).toBeNull();
    press(document.body, "?");
    expect(document.querySelector("[data-testid=shortcuts]")).not.toBeNull();
    press(document.body, "Escape");
    expect(document.querySelector("[data-testid=shortcuts]")).toBeNull();
    expect(screen.root.isConnected).toBe(true);
    expect(screen.backs()).toBe(0);
    press(screen.field, "F1");
    expect(document.querySelector("[data-testid=shortcuts]")).not.toBeNull();
  });

  it("refuses WebKit's menu outside text fields", () => {
    const screen = subScreen();
    app.show(screen);
    const menu = (target: EventTarget): boolean => {
      const event = new MouseEvent("contextmenu", { bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(menu(screen.root)).toBe(true);
    expect(menu(screen.field)).toBe(false);
  });
});
