// One account's row on the main screen: its code (and, near the end of a
// period, the next), the countdown ring or the HOTP "next" button, the
// issuer icon, and the actions. The list (account-list.ts) builds rows when
// the accounts change and then only updates them in place on each tick.
//
// A row's pictures (issuer logo, ring, button icons) are drawn when it first
// comes near the screen: each SVG costs the web process kilobytes, which
// add up over a long list (docs/benchmarks.md).
import * as api from "../api";
import type { Account, CodeView } from "../api";
import { el, srOnly } from "../dom";
import { showsNext } from "../lib/countdown";
import { groupCode, spokenCode } from "../lib/group";
import { accountLabel, searchKey } from "../lib/search";
import type { SearchKey } from "../lib/search";
import type { App } from "./screen";
import { icon, issuerIcon, popupMenu, Ring } from "./widgets";
import type { IconName } from "./widgets";

const NO_CODE = "––– –––";

/** The row's texts: issuer, name, recovery codes left, and tags. */
function labelsOf(account: Account): HTMLSpanElement {
  const labels = el(
    "span",
    { class: "labels" },
    el("span", { class: "issuer", "data-testid": "issuer" }, account.issuer || account.name),
  );
  if (account.issuer && account.name) {
    labels.append(el("span", { class: "name", "data-testid": "name" }, account.name));
  }
  if (account.recoveryUnused !== null) {
    const n = account.recoveryUnused;
    const badge = el(
      "span",
      { class: account.recoveryWarning ? "recovery-badge warn" : "recovery-badge", "data-testid": "recovery-badge" },
      `${n} recovery code${n === 1 ? "" : "s"} left`,
    );
    if (account.recoveryWarning) {
      badge.title = account.recoveryWarning;
      badge.append(srOnly(`: ${account.recoveryWarning}`));
    }
    labels.append(badge);
  }
  if (account.tags.length > 0) {
    labels.append(el("span", { class: "tags" }, ...account.tags.map((t) => el("span", { class: "tag" }, t))));
  }
  return labels;
}

/** One account's row and the nodes a tick updates. */
export class AccountRow {
  readonly li: HTMLLIElement;
  /** The account's texts folded for searching, once. */
  readonly searchKey: SearchKey;
  readonly copyButton: HTMLButtonElement;
  private readonly codeNode: HTMLSpanElement;
  private readonly spokenNode: HTMLSpanElement;
  private readonly nextNode: HTMLSpanElement;
  /** The issuer icon, ring and button icons, until {@link decorate} draws them. */
  private placeholders: { icon: HTMLSpanElement; ring: HTMLSpanElement | null; buttons: [HTMLButtonElement, IconName][] } | null;
  private ring: Ring | null = null;
  private shownCode: string | null = null;
  private shownNext: string | null = null;
  /** The latest tick's view of this row's code, drawn or not. */
  view: CodeView | null = null;
  /** Whether the row is on screen or near it: only these draw their ring each tick. */
  onScreen = false;

  constructor(
    readonly account: Account,
    private readonly app: App,
  ) {
    this.searchKey = searchKey(account);
    const labels = labelsOf(account);
    this.codeNode = el("span", { class: "code", "data-testid": "code", "aria-hidden": "true" }, NO_CODE);
    this.spokenNode = srOnly("");
    // The next code's line keeps its place while empty, so its showing in a
    // period's last seconds moves no row or button from under the pointer.
    this.nextNode = el("span", { class: "next", "data-testid": "next-code", "data-empty": "" });
    const codeBox = el("span", { class: "code-box" }, this.codeNode, this.spokenNode, this.nextNode);
    const iconSlot = el("span", { class: "issuer-icon", "aria-hidden": "true" });
    this.copyButton = el("button", { type: "button", class: "account-copy", "data-testid": "copy" }, iconSlot, labels, codeBox);
    if (account.favourite) {
      this.copyButton.prepend(el("span", { class: "favourite-mark", title: "Favourite" }, icon("star"), srOnly("Favourite.")));
    }
    this.copyButton.addEventListener("click", () => void this.copy());
    const actions = el("span", { class: "row-actions" });
    let ringSlot: HTMLSpanElement | null = null;
    const buttons: [HTMLButtonElement, IconName][] = [];
    if (account.kind === "hotp") {
      const next = el(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": `Generate the next code of ${accountLabel(account)}`,
          title: "Generate the next code",
          "data-testid": "hotp-next",
        },
      );
      next.addEventListener("click", () => void this.generate());
      actions.append(next);
      buttons.push([next, "next"]);
    } else {
      ringSlot = el("span", { class: "ring", "aria-hidden": "true" });
      codeBox.after(ringSlot);
    }
    const details = el(
      "button",
      {
        type: "button",
        class: "icon-button",
        "aria-label": `Details of ${accountLabel(account)}`,
        title: "Details",
        "data-testid": "details",
      },
    );
    details.addEventListener("click", () => app.goDetails(account.id));
    actions.append(details);
    buttons.push([details, "more"]);
    this.placeholders = { icon: iconSlot, ring: ringSlot, buttons };
    this.li = el("li", { class: "account", "data-id": account.id, "data-testid": "account" }, this.copyButton, actions);
    // The row's focus ring is for the keyboard: a click marks the row
    // until its focus leaves or a key is pressed (styles.css).
    this.li.addEventListener("pointerdown", () => this.li.classList.add("pointer-focus"));
    this.li.addEventListener("focusout", (event) => {
      if (!(event.relatedTarget instanceof Node && this.li.contains(event.relatedTarget))) {
        this.li.classList.remove("pointer-focus");
      }
    });
    // The app's own menu, in place of WebKit's (right-click, the Menu key,
    // Shift+F10).
    this.li.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      const keyboard = event.clientX === 0 && event.clientY === 0;
      this.openMenu(keyboard ? null : { x: event.clientX, y: event.clientY });
    });
    this.li.addEventListener("keydown", (event) => {
      this.li.classList.remove("pointer-focus");
      if (event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey)) {
        event.preventDefault();
        this.openMenu(null);
      }
    });
  }

  /** Shows the row's menu at `at`, or under the row's code when from the keyboard. */
  openMenu(at: { x: number; y: number } | null): void {
    const focused = document.activeElement instanceof HTMLElement && this.li.contains(document.activeElement) ? document.activeElement : this.copyButton;
    let { x, y } = at ?? { x: 0, y: 0 };
    if (at === null) {
      const box = this.li.getBoundingClientRect();
      x = box.left + box.width / 2;
      y = box.bottom;
    }
    popupMenu(
      [
        { label: "Copy the code", testid: "menu-copy", run: () => void this.copy() },
        { label: "Details", testid: "menu-details", run: () => this.app.goDetails(this.account.id) },
      ],
      x,
      y,
      focused,
    );
  }

  /**
   * Draws the row's pictures: issuer logo, countdown ring and button icons,
   * the first time the row comes near the screen. Each SVG costs the web
   * process kilobytes, and most rows of a long list are never scrolled to.
   */
  private decorate(): void {
    const slots = this.placeholders;
    if (slots === null) {
      return;
    }
    this.placeholders = null;
    slots.icon.replaceWith(issuerIcon(this.account.issuer, this.account.name));
    if (slots.ring !== null) {
      this.ring = new Ring();
      slots.ring.replaceWith(this.ring.node);
    }
    for (const [button, name] of slots.buttons) {
      button.append(icon(name));
    }
  }

  /** Copies the code, and flashes the row once it is on the clipboard. */
  async copy(): Promise<void> {
    if (await this.app.copy(this.account)) {
      this.li.classList.remove("copied");
      // Restart the flash animation.
      void this.li.offsetWidth;
      this.li.classList.add("copied");
    }
  }

  private async generate(): Promise<void> {
    try {
      const view = await api.hotpNext(this.account.id);
      this.view = view;
      this.draw(0, true);
      this.app.toast(`New code for ${accountLabel(this.account)}`);
    } catch (error) {
      this.app.toast(api.errorText(error), "error");
    }
  }

  /**
   * Draws the latest view at `nowMs`: the code and the next code (what a
   * screen reader reads, so every row keeps them current), and the ring if
   * `withRing`.
   */
  draw(nowMs: number, withRing: boolean): void {
    if (withRing) {
      this.decorate();
    }
    const view = this.view;
    if (view === null) {
      return;
    }
    if (view.code !== this.shownCode) {
      this.shownCode = view.code;
      this.codeNode.textContent = view.code ? groupCode(view.code) : view.error ? "error" : NO_CODE;
      this.codeNode.dataset.code = view.code ?? "";
      this.spokenNode.textContent = view.code
        ? `Code ${spokenCode(view.code)}.`
        : view.error
          ? `No code: ${view.error}.`
          : "No code yet.";
      this.li.classList.toggle("has-error", view.error !== null);
      if (view.error) {
        this.codeNode.title = view.error;
      }
    }
    const next =
      view.next !== null && view.validUntil !== null && showsNext(view.validUntil, nowMs) ? view.next : null;
    if (next !== this.shownNext) {
      this.shownNext = next;
      this.nextNode.textContent = next ? `next ${groupCode(next)}` : "";
      this.nextNode.toggleAttribute("data-empty", !next);
    }
    if (withRing && this.ring && view.validFrom !== null && view.validUntil !== null) {
      this.ring.update(view.validFrom, view.validUntil, nowMs);
    }
  }
}
