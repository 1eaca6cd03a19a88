// The main screen: every account with its rolling code, countdown ring and,
// near the end of a period, the next code. Click or Enter copies; typing
// anywhere searches, and Enter in the search copies the first match.
//
// Rows are built when the list changes and then only updated in place on
// each tick, so a thousand accounts tick without rebuilding anything. A tick
// redraws in full only the rows on screen or near it; the others change
// only when their code does, a few hundred a frame, and draw their ring as
// they come into view. Restyling every row once a second made each tick's
// frame of a 1,000-account list take 65-148 ms (frame gaps read in the
// running app); `app::bench` now puts the longest frame near 30 ms.
//
// A row's pictures (issuer logo, ring, button icons) are drawn when it first
// comes near the screen: each SVG costs the web process kilobytes, and with
// 100 accounts, drawing only the first screenfuls took the web process from
// 114 to 112 MiB PSS.
import * as api from "../api";
import type { Account, CodeView, Codes, SortOrder } from "../api";
import type { App, Screen } from "../app";
import { el, srOnly } from "../dom";
import { showsNext } from "../lib/countdown";
import { FrameQueue } from "../lib/frames";
import { groupCode, spokenCode } from "../lib/group";
import { accountLabel, allTags, matchesKey, queryWords, searchKey, sortAccounts } from "../lib/search";
import type { SearchKey } from "../lib/search";
import { emptyState } from "./empty";
import { icon } from "./icons";
import type { IconName } from "./icons";
import { issuerIcon, Ring } from "./widgets";

const NO_CODE = "––– –––";

/** One account's row and the nodes a tick updates. */
class Row {
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
    this.codeNode = el("span", { class: "code", "data-testid": "code", "aria-hidden": "true" }, NO_CODE);
    this.spokenNode = srOnly("");
    this.nextNode = el("span", { class: "next", "data-testid": "next-code", hidden: "" });
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
      if (next) {
        this.nextNode.textContent = `next ${groupCode(next)}`;
        this.nextNode.hidden = false;
      } else {
        this.nextNode.textContent = "";
        this.nextNode.hidden = true;
      }
    }
    if (withRing && this.ring && view.validFrom !== null && view.validUntil !== null) {
      this.ring.update(view.validFrom, view.validUntil, nowMs);
    }
  }
}

const SORT_CHOICES: [SortOrder, string][] = [
  ["issuer", "Issuer"],
  ["name", "Account name"],
  ["recent", "Newest first"],
  ["manual", "Order added"],
];

/** Builds the account list screen. */
export function accountsScreen(app: App): Screen {
  const search = el("input", {
    type: "search",
    class: "search",
    placeholder: "Search",
    "aria-label": "Search accounts (Enter copies the first match)",
    autocomplete: "off",
    spellcheck: "false",
    "data-testid": "search",
  });
  const addButton = el(
    "button",
    { type: "button", class: "icon-button primary", "aria-label": "Add account", title: "Add account", "data-testid": "add-account" },
    icon("plus"),
  );
  const settingsButton = el(
    "button",
    { type: "button", class: "icon-button", "aria-label": "Settings", title: "Settings", "data-testid": "settings" },
    icon("settings"),
  );
  const recoveryButton = el(
    "button",
    { type: "button", class: "icon-button", "aria-label": "Recovery codes", title: "Recovery codes", "data-testid": "recovery" },
    icon("key"),
  );
  recoveryButton.addEventListener("click", () => app.goRecovery());
  const lockButton = el(
    "button",
    { type: "button", class: "icon-button", "aria-label": "Lock (Ctrl+L)", title: "Lock (Ctrl+L)", "data-testid": "lock" },
    icon("lock"),
  );
  addButton.addEventListener("click", () => app.goAdd());
  settingsButton.addEventListener("click", () => app.goSettings());
  lockButton.addEventListener("click", () => void app.lockNow("user"));

  const sort = el("select", { "aria-label": "Sort accounts by", "data-testid": "sort" });
  for (const [value, label] of SORT_CHOICES) {
    sort.append(el("option", { value }, label));
  }
  sort.value = app.settings?.sortOrder ?? "issuer";
  const tagFilter = el("select", { "aria-label": "Show accounts with tag", "data-testid": "tag-filter" });
  const filters = el(
    "div",
    { class: "filters" },
    el("label", { class: "inline" }, "Sort ", sort),
    el("label", { class: "inline" }, "Tag ", tagFilter),
  );

  let list = el("ul", { class: "account-list", "aria-label": "Accounts", "data-testid": "account-list" });
  const noMatch = el("p", { class: "no-match", role: "status", "data-testid": "no-match", hidden: "" });
  const count = el("p", { class: "sr-only", "aria-live": "polite" });
  const empty = emptyState();
  const emptyAdd = el("button", { type: "button", class: "primary", "data-testid": "empty-add" }, "Add an account");
  emptyAdd.addEventListener("click", () => app.goAdd());
  empty.append(emptyAdd);

  const header = el(
    "header",
    { class: "toolbar" },
    el("h1", { class: "sr-only", tabindex: "-1" }, "Accounts"),
    search,
    addButton,
    recoveryButton,
    settingsButton,
    lockButton,
  );
  // The no-match note comes before the list: lists a search replaced stay
  // under the current one for a few frames (see applyFilter).
  const root = el(
    "section",
    { class: "screen accounts", "aria-label": "Accounts" },
    header,
    filters,
    noMatch,
    el("div", { class: "list-host" }, list),
    empty,
    count,
  );

  let rows: Row[] = [];
  /** The rows that match the search, in order; the list shows these. */
  let shown: Row[] = [];
  /**
   * Lists a search replaced, emptied a chunk a frame under the current
   * list, which covers them meanwhile (class `covering`).
   */
  let retiring: HTMLUListElement[] = [];
  /** The latest codes, and when they came (performance.now()). */
  let latest: { codes: Codes; at: number } | null = null;
  let slowestTick = 0;

  const visibleRows = (): Row[] => shown;

  /** The moment to draw a ring at: the latest codes' clock, moved on since. */
  const drawingNowMs = (): number => (latest ? latest.codes.nowMs + (performance.now() - latest.at) : 0);

  /** Notes the slowest piece of list work so far, which `app::bench` reads. */
  const measured = (started: number): void => {
    slowestTick = Math.max(slowestTick, performance.now() - started);
    root.dataset.slowestTickMs = slowestTick.toFixed(1);
  };

  // Chunk sizes, from timings in the running app over 1,000 rows: a row
  // joining the list costs its frame about 0.25 ms of styling, one leaving
  // it 0.05 ms, one taking a new code while off screen under 0.05 ms.
  const JOIN_PER_FRAME = 40;
  const LEAVE_PER_FRAME = 150;
  const OFF_SCREEN_PER_FRAME = 250;
  /** Rows a list change leaves on its own, in one step; more go a chunk a frame. */
  const LEAVE_AT_ONCE = 200;
  /** Rows shown at once when the list changes, before the row height is known. */
  const FIRST = 40;
  /**
   * The shortest row seen, in CSS pixels, from the observer's reports (read
   * there without forcing a layout); 0 until the first.
   */
  let rowHeight = 0;
  /** Rows a list change draws in full at once: those that can be on screen. */
  const screenful = (): number => (rowHeight > 0 ? Math.min(FIRST, Math.ceil(window.innerHeight / rowHeight) + 1) : FIRST);

  // Rows within a screen's height of the view count as on screen, so a row
  // scrolled into view has its ring drawn before it shows.
  const rowByNode = new Map<Element, Row>();
  const watcher =
    typeof IntersectionObserver === "undefined"
      ? null
      : new IntersectionObserver(
          (entries) => {
            const now = drawingNowMs();
            for (const entry of entries) {
              const row = rowByNode.get(entry.target);
              const height = entry.boundingClientRect.height;
              if (height > 0 && (rowHeight === 0 || height < rowHeight)) {
                rowHeight = height;
              }
              if (row) {
                row.onScreen = entry.isIntersecting;
                if (row.onScreen) {
                  row.draw(now, true);
                }
              }
            }
          },
          { rootMargin: "100% 0px" },
        );

  // Matching rows past the first screenful join the list a chunk a frame.
  const joining = new FrameQueue<Row>(JOIN_PER_FRAME, (batch) => {
    list.append(...batch.map((r) => r.li));
  });
  // Rows a search took off leave their old list a chunk a frame; the empty
  // lists go last. A row that matches again has moved to the current list
  // by then and stays.
  const leaving = new FrameQueue<HTMLLIElement>(
    LEAVE_PER_FRAME,
    (batch) => {
      const started = performance.now();
      for (const li of batch) {
        if (li.parentNode !== list) {
          li.remove();
        }
      }
      measured(started);
    },
    () => {
      retiring.forEach((old) => old.remove());
      retiring = [];
      list.classList.remove("covering");
      list.style.removeProperty("z-index");
    },
  );
  // After a tick, the rows off screen take their new codes a chunk a frame.
  const offScreen = new FrameQueue<Row>(
    OFF_SCREEN_PER_FRAME,
    (batch) => {
      const started = performance.now();
      const now = drawingNowMs();
      for (const row of batch) {
        row.draw(now, false);
      }
      measured(started);
    },
    () => {
      // Every row now shows the codes of `data-now-ms`.
      root.dataset.settled = "";
    },
  );

  /**
   * Shows the matching rows: a screenful at once, the rest a chunk per
   * frame, so a search over a thousand accounts never holds up a frame
   * (rows not shown are detached, and still take their codes). A fresh
   * list takes the old one's place. A short old list goes at once; a long
   * one stays where it is, covered by the fresh list, and empties a chunk
   * a frame from its end. Removing a row costs about 0.05 ms, so taking
   * 857 rows off at once had cost the first keystroke 44 ms. Hiding rows in
   * place was slower still (clearing a search took 212 ms).
   */
  const applyFilter = (): void => {
    const query = search.value;
    const tag = tagFilter.value;
    const words = queryWords(query);
    const wantedTag = tag.toLowerCase();
    shown = rows.filter(
      (row) =>
        matchesKey(row.searchKey, words) &&
        (wantedTag === "" || row.account.tags.some((t) => t.toLowerCase() === wantedTag)),
    );
    const fresh = list.cloneNode(false) as HTMLUListElement;
    fresh.addEventListener("keydown", onListKey);
    const inFull = screenful();
    const first = shown.slice(0, inFull);
    fresh.append(...first.map((r) => r.li));
    const old = list;
    // Before the old list, so keyboard and screen-reader order meet the
    // fresh rows first.
    old.before(fresh);
    list = fresh;
    const stale = [...old.children] as HTMLLIElement[];
    if (stale.length <= LEAVE_AT_ONCE) {
      old.remove();
    } else {
      // The old list is left as it is, in place. Over 1,000 accounts,
      // pushing it below the window made the slowest search 83 ms against
      // 73 (debug build, medians of four launches), hiding it even by its
      // height alone lays out all its rows again (15-24 ms), and removing
      // it tears them all down (26 ms). Its rows leave from the end, so
      // none moves into view.
      retiring.push(old);
      leaving.push(stale.reverse(), 1);
    }
    // Set while the fresh list is not yet laid out, so it costs nothing.
    // Each covering list paints over the lists made before it, which may
    // still be covering lists themselves (the CSP allows styles set
    // through CSSOM).
    fresh.classList.toggle("covering", retiring.length > 0);
    if (retiring.length > 0) {
      fresh.style.setProperty("z-index", String(retiring.length));
    } else {
      fresh.style.removeProperty("z-index");
    }
    // The first rows are drawn before they show; the observer takes over
    // from the next frame, for those that join later too.
    const now = drawingNowMs();
    first.forEach((row) => {
      row.onScreen = true;
      row.draw(now, true);
    });
    // The next frame paints only the first screenful; the rest comes after.
    joining.replace(shown.slice(inFull), 1);
    const filtering = query.trim() !== "" || tag !== "";
    noMatch.hidden = !(filtering && shown.length === 0 && rows.length > 0);
    noMatch.textContent = noMatch.hidden ? "" : `No account matches “${query.trim() || tag}”.`;
    count.textContent = filtering ? `${shown.length} of ${rows.length} accounts shown.` : "";
  };

  const build = (): void => {
    const focusedId = (document.activeElement?.closest("li.account") as HTMLElement | null)?.dataset.id;
    const order = (sort.value as SortOrder) || "issuer";
    rows = sortAccounts(app.accounts, order).map((account) => new Row(account, app));
    watcher?.disconnect();
    rowByNode.clear();
    for (const row of rows) {
      rowByNode.set(row.li, row);
      watcher?.observe(row.li);
      // Without an observer every row counts as on screen.
      row.onScreen = watcher === null;
    }
    const tags = allTags(app.accounts);
    const chosen = tagFilter.value;
    tagFilter.replaceChildren(el("option", { value: "" }, "All"), ...tags.map((t) => el("option", { value: t }, t)));
    tagFilter.value = tags.includes(chosen) ? chosen : "";
    filters.hidden = app.accounts.length === 0;
    tagFilter.parentElement?.toggleAttribute("hidden", tags.length === 0);
    const hasAccounts = app.accounts.length > 0;
    empty.hidden = hasAccounts;
    list.hidden = !hasAccounts;
    search.hidden = !hasAccounts;
    applyFilter();
    if (app.lastCodes) {
      tick(app.lastCodes);
    }
    if (focusedId) {
      rows.find((r) => r.account.id === focusedId)?.copyButton.focus();
    }
  };

  const tick = (codes: Codes): void => {
    const started = performance.now();
    latest = { codes, at: started };
    // The moment these codes are for, readable with them in one step once
    // `data-settled` is back (the end-to-end tests compare against
    // oathtool at exactly this moment). Rows on screen show them at once.
    root.dataset.nowMs = String(codes.nowMs);
    delete root.dataset.settled;
    const byId = new Map(codes.codes.map((c) => [c.id, c]));
    const rest: Row[] = [];
    for (const row of rows) {
      row.view = byId.get(row.account.id) ?? row.view;
      if (row.onScreen) {
        row.draw(codes.nowMs, true);
      } else {
        rest.push(row);
      }
    }
    offScreen.replace(rest);
    if (rest.length === 0) {
      root.dataset.settled = "";
    }
    // When codes first showed, for the benchmark.
    if (rows.length > 0 && document.documentElement.dataset.firstCodeAt === undefined) {
      document.documentElement.dataset.firstCodeAt = String(Date.now());
    }
    measured(started);
  };

  search.addEventListener("input", applyFilter);
  tagFilter.addEventListener("change", applyFilter);
  sort.addEventListener("change", () => {
    build();
    const settings = app.settings;
    if (settings) {
      const next = { ...settings, sortOrder: sort.value as SortOrder };
      api
        .setSettings(next)
        .then((saved) => {
          app.settings = saved;
        })
        .catch((error: unknown) => app.toast(api.errorText(error), "error"));
    }
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = visibleRows()[0];
      if (first) {
        void first.copy();
      }
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      visibleRows()[0]?.copyButton.focus();
    } else if (event.key === "Escape" && search.value !== "") {
      event.preventDefault();
      search.value = "";
      applyFilter();
    }
  });
  function onListKey(event: KeyboardEvent): void {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    const visible = visibleRows();
    const at = visible.findIndex((r) => r.li.contains(document.activeElement));
    if (at < 0) {
      return;
    }
    event.preventDefault();
    if (event.key === "ArrowDown") {
      visible[at + 1]?.copyButton.focus();
    } else if (at === 0) {
      search.focus();
    } else {
      visible[at - 1]?.copyButton.focus();
    }
  }
  list.addEventListener("keydown", onListKey);

  build();

  return {
    root,
    focus: app.accounts.length > 0 ? search : emptyAdd,
    tick,
    accountsChanged: build,
    key(event: KeyboardEvent): boolean {
      // Typing anywhere searches: a printable key outside a field goes to
      // the search box.
      if (event.key === "/" && !search.hidden) {
        search.focus();
        return true;
      }
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && !search.hidden) {
        if (event.key === " " && document.activeElement instanceof HTMLButtonElement) {
          return false;
        }
        search.focus();
        search.value += event.key;
        applyFilter();
        return true;
      }
      return false;
    },
  };
}
