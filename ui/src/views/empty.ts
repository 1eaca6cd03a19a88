// The first screen a new user sees: no accounts yet, and what to do next.
import { el } from "../dom";

/** Builds the empty state shown while the vault holds no accounts. */
export function emptyState(): HTMLElement {
  return el(
    "section",
    { class: "empty", "data-testid": "empty-state", "aria-labelledby": "empty-title" },
    el("div", { class: "empty-mark", "aria-hidden": "true" }),
    el("h1", { id: "empty-title" }, "No accounts yet"),
    el(
      "p",
      {},
      "Scan the QR code a website shows when you turn on two-factor authentication, " +
        "or type its secret key, and Tessera will show your one-time codes here.",
    ),
  );
}
