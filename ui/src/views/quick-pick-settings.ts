// Settings' quick-pick section: the desktop-wide shortcut that opens the
// quick-pick window, and whether the desktop let Tessera take it (a key
// another program holds, or Wayland, is said here, not silently ignored).
import * as api from "../api";
import type { ShortcutStatus } from "../api";
import { el } from "../dom";
import { checkbox, textField } from "./form";
import type { App } from "./screen";

/** Suggested when the user turns the shortcut on: rarely taken by desktops. */
export const DEFAULT_SHORTCUT = "Ctrl+Alt+K";

export function quickPickSection(app: App): HTMLElement {
  const enabled = checkbox({
    label: "Open the quick pick with a keyboard shortcut",
    checked: false,
    testid: "quick-pick-enabled",
    explain:
      "From any application: type to find an account, Enter copies its code, Shift+Enter types it into the window you were in, Escape closes.",
  });
  const shortcut = textField({
    label: "Shortcut",
    hint: "Keys joined by +, such as Ctrl+Alt+K: Ctrl, Alt or Super, then a letter, a digit, F1–F12 or Space.",
    value: DEFAULT_SHORTCUT,
    testid: "quick-pick-shortcut",
    attrs: { autocomplete: "off", spellcheck: "false" },
  });
  const state = el("p", { class: "field-hint", "data-testid": "shortcut-status", "aria-live": "polite" });
  const showStatus = (status: ShortcutStatus): void => {
    state.dataset.state = status.state;
    state.textContent = status.message;
  };
  const refreshStatus = (): Promise<void> =>
    api.shortcutStatus().then(showStatus, (e: unknown) => {
      state.textContent = api.errorText(e);
    });
  enabled.input.disabled = true;
  shortcut.input.disabled = true;
  void api.getDesktopSettings().then(
    (settings) => {
      enabled.input.checked = settings.quickPickShortcut !== null;
      shortcut.input.value = settings.quickPickShortcut ?? DEFAULT_SHORTCUT;
      enabled.input.disabled = false;
      shortcut.input.disabled = !enabled.input.checked;
    },
    (e: unknown) => app.toast(api.errorText(e), "error"),
  );
  void refreshStatus();

  const save = async (): Promise<void> => {
    const wanted = enabled.input.checked ? shortcut.input.value.trim() : null;
    shortcut.input.disabled = !enabled.input.checked;
    try {
      const current = await api.getDesktopSettings();
      const saved = await api.setDesktopSettings({ ...current, quickPickShortcut: wanted });
      shortcut.show(null);
      app.toast(saved.quickPickShortcut === null ? "Shortcut off" : "Saved");
    } catch (e) {
      shortcut.show(api.errorText(e));
    }
    await refreshStatus();
  };
  enabled.input.addEventListener("change", () => void save());
  shortcut.input.addEventListener("change", () => void save());

  return el(
    "section",
    { class: "card", "aria-labelledby": "quick-pick-title" },
    el("h2", { id: "quick-pick-title" }, "Quick pick"),
    enabled.wrap,
    shortcut.wrap,
    state,
  );
}
