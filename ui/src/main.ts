// Starts the webview side: renders the current screen and the footer.
import "./styles.css";
import { appInfo } from "./api";
import { el } from "./dom";
import { emptyState } from "./views/empty";

function render(root: HTMLElement): void {
  const footer = el("footer", { class: "footer", "data-testid": "footer" });
  root.replaceChildren(emptyState(), footer);
  appInfo()
    .then((info) => footer.replaceChildren(`${info.name} ${info.version}`))
    .catch(() => footer.replaceChildren("Tessera"));
}

const root = document.getElementById("app");
if (root) {
  render(root);
}
