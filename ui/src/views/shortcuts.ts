// The keyboard shortcuts page (F1 or ?): every key the app answers to, in
// one list, so nobody has to discover them by accident. It opens over any
// screen, locked ones too, and Back returns to that screen.
import { el } from "../dom";
import type { Screen } from "./screen";
import { icon } from "./widgets";

/** The keys and what each does, as the page lists them. */
export const SHORTCUTS: readonly (readonly [readonly string[], string])[] = [
  [["F1", "?"], "Show this list of keys"],
  [["Escape", "Alt+←"], "Go back: from details, settings, adding, recovery codes and this page"],
  [["Ctrl+L"], "Lock the vault"],
  [["Ctrl+W"], "Close the window (Tessera stays in the tray when Settings says so)"],
  [["Ctrl+Q"], "Quit Tessera (the vault locks)"],
  [["Typing", "/"], "Search the accounts"],
  [["Enter"], "In the search: copy the first match’s code"],
  [["Escape"], "In the search: clear it"],
  [["↓", "↑"], "Move between the accounts"],
  [["Enter", "Space"], "Copy the focused account’s code"],
  [["Menu", "Shift+F10"], "The focused account’s menu: copy, details"],
  [["Tab", "Shift+Tab"], "Move between controls"],
];

/** Whether a key press asks for this page: F1, or ? outside a text field. */
export function asksForShortcuts(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "altKey" | "metaKey">, typing: boolean): boolean {
  if (event.ctrlKey || event.altKey || event.metaKey) {
    return false;
  }
  return event.key === "F1" || (event.key === "?" && !typing);
}

/** Builds the page; `back` returns to the screen it was opened from. */
export function shortcutsScreen(back: () => void): Screen {
  const backButton = el(
    "button",
    { type: "button", class: "icon-button", "aria-label": "Back", title: "Back", "data-testid": "back" },
    icon("back"),
  );
  backButton.addEventListener("click", back);
  const heading = el("h1", { tabindex: "-1", "data-testid": "shortcuts-title" }, "Keyboard shortcuts");
  const list = el("dl", { "data-testid": "shortcut-list" });
  for (const [keys, what] of SHORTCUTS) {
    const keyNodes: (Node | string)[] = [];
    keys.forEach((key, index) => {
      if (index > 0) {
        keyNodes.push(" or ");
      }
      keyNodes.push(el("kbd", {}, key));
    });
    list.append(el("dt", {}, ...keyNodes), el("dd", {}, what));
  }
  const root = el(
    "section",
    { class: "screen shortcuts", "data-testid": "shortcuts" },
    el("header", { class: "subbar" }, backButton, heading),
    el("div", { class: "card" }, list),
  );
  return { root, focus: heading };
}
