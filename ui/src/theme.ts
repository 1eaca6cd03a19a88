// Light or dark: Rust decides (src-tauri/theme.rs: the choice in Settings,
// else the desktop's preference, which WebKit alone cannot read in full)
// and the page draws what it is told, as `data-theme` on the root element,
// which styles.css keys its colours on. Rust sets it again on each change.
import * as api from "./api";

/** The colours the page draws with. */
export type Shade = "light" | "dark";

/** Draws the page in `shade`. */
export function applyShade(shade: Shade, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = shade;
}

/** Asks Rust for the shade now and draws in it; WebKit's guess stays if Rust cannot say. */
export async function loadTheme(): Promise<void> {
  try {
    applyShade(await api.currentTheme());
  } catch {
    // The stylesheet's own reading of GTK's preference stays.
  }
}
