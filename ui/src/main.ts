// Starts the webview side: the app controller picks the first screen from
// the vault's status (create, unlock, or the accounts).
import "./styles.css";
import { App } from "./app";
import { startQuickPick } from "./views/quick-pick";

const root = document.getElementById("app");
// The quick-pick window (src-tauri/quick_pick.rs) loads the same bundle.
if (root && location.search === "?quick-pick") {
  startQuickPick(root);
} else if (root) {
  void new App(root).start();
}
