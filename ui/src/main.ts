// Starts the webview side: the app controller picks the first screen from
// the vault's status (create, unlock, or the accounts).
import "./styles.css";
import { App } from "./app";

const root = document.getElementById("app");
if (root) {
  void new App(root).start();
}
