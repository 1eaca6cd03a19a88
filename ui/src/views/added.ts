// Shown right after adding an account: its current code, large, with the
// countdown, because the enrolling site asks for that code next.
import * as api from "../api";
import type { Added, CodeView, Codes } from "../api";
import { el, srOnly } from "../dom";
import { showsNext } from "../lib/countdown";
import { groupCode, spokenCode } from "../lib/group";
import { accountLabel } from "../lib/search";
import type { App, Screen } from "./screen";
import { issuerIcon, Ring } from "./widgets";

export function addedScreen(app: App, added: Added): Screen {
  const { account } = added;
  const label = accountLabel(account);
  const code = el("p", { class: "big-code", "data-testid": "added-code", "aria-hidden": "true" });
  const spoken = srOnly("");
  const next = el("p", { class: "next big-next", "data-testid": "added-next", hidden: "" });
  const ring = account.kind === "hotp" ? null : new Ring();
  const copy = el("button", { type: "button", class: "primary", "data-testid": "added-copy" }, "Copy code");
  const done = el("button", { type: "button", "data-testid": "added-done" }, "Done");
  const heading = el("h1", { tabindex: "-1", "data-testid": "added-title" }, `Added ${label}`);
  const explain = el(
    "p",
    { class: "muted" },
    account.kind === "hotp"
      ? "Generate the first code if the site asks for one to finish turning on two-factor authentication."
      : "If the site asks for a code to finish turning on two-factor authentication, this is it.",
  );
  const show = (view: CodeView, nowMs: number): void => {
    code.textContent = view.code ? groupCode(view.code) : "––– –––";
    code.dataset.code = view.code ?? "";
    spoken.textContent = view.code ? `Current code ${spokenCode(view.code)}.` : "";
    const nextCode = view.next && view.validUntil !== null && showsNext(view.validUntil, nowMs) ? view.next : null;
    next.hidden = nextCode === null;
    next.textContent = nextCode ? `next ${groupCode(nextCode)}` : "";
    if (ring && view.validFrom !== null && view.validUntil !== null) {
      ring.update(view.validFrom, view.validUntil, nowMs);
    }
  };
  const codeRow = el("div", { class: "added-code" }, issuerIcon(account.issuer, account.name), code, spoken);
  if (ring) {
    codeRow.append(ring.node);
  }
  const actions = el("div", { class: "actions" }, copy, done);
  if (account.kind === "hotp") {
    const generate = el("button", { type: "button", "data-testid": "added-generate" }, "Generate first code");
    generate.addEventListener("click", () => {
      api
        .hotpNext(account.id)
        .then((view) => show(view, 0))
        .catch((e: unknown) => app.toast(api.errorText(e), "error"));
    });
    actions.prepend(generate);
  }
  copy.addEventListener("click", () => void app.copy(account));
  done.addEventListener("click", () => app.goAccounts());
  show(added.code, app.lastCodes?.nowMs ?? Date.now());
  const root = el("section", { class: "screen added", "aria-labelledby": "added-h" }, heading, explain, codeRow, next, actions);
  heading.id = "added-h";
  return {
    root,
    focus: copy,
    tick(codes: Codes): void {
      const view = codes.codes.find((c) => c.id === account.id);
      if (view) {
        show(view, codes.nowMs);
      }
    },
  };
}
