// Settings' Appearance section: light, dark, or as the desktop prefers.
// The choice is a desktop setting (src-tauri/desktop_settings.rs), kept on
// this computer and in force before any vault is unlocked.
import * as api from "../api";
import type { Theme } from "../api";
import { el } from "../dom";
import { loadTheme } from "../theme";
import type { App } from "./screen";
import { selectField } from "./widgets";

/** The theme choices, as Settings offers them. */
export const THEMES: [Theme, string][] = [
  ["System", "As the desktop prefers"],
  ["Light", "Light"],
  ["Dark", "Dark"],
];

/** Saves `theme` with the other desktop settings as they are now, then redraws in it. */
export async function saveTheme(theme: Theme): Promise<Theme> {
  const settings = await api.getDesktopSettings();
  const saved = await api.setDesktopSettings({ ...settings, theme });
  await loadTheme();
  return saved.theme;
}

/** The Appearance section. */
export function appearanceSection(app: App): HTMLElement {
  const theme = selectField({
    label: "Theme",
    hint: "“As the desktop prefers” follows the desktop’s light or dark setting, and its changes.",
    choices: THEMES,
    value: "System",
    testid: "theme",
  });
  theme.input.disabled = true;
  void api.getDesktopSettings().then(
    (settings) => {
      theme.input.value = settings.theme;
      theme.input.disabled = false;
    },
    (e: unknown) => app.toast(api.errorText(e), "error"),
  );
  theme.input.addEventListener("change", () => {
    const wanted = theme.input.value as Theme;
    theme.input.disabled = true;
    saveTheme(wanted)
      .then((saved) => {
        theme.input.value = saved;
      })
      .catch((e: unknown) => app.toast(api.errorText(e), "error"))
      .finally(() => {
        theme.input.disabled = false;
      });
  });
  return el(
    "section",
    { class: "card", "aria-labelledby": "appearance-title" },
    el("h2", { id: "appearance-title" }, "Appearance"),
    theme.wrap,
  );
}
