// The main screen's list of accounts, kept fast at a thousand of them.
//
// Rows are built when the list changes and then only updated in place on
// each tick, so a thousand accounts tick without rebuilding anything. A tick
// redraws in full only the rows on screen or near it; the others change
// only when their code does, a few hundred a frame, and draw their ring as
// they come into view: restyling every row once a second makes a
// 1,000-account list stall its frames (figures in docs/benchmarks.md).
import type { Account, Codes } from "../api";
import { el } from "../dom";
import { FrameQueue } from "../lib/frames";
import { matchesKey, queryWords } from "../lib/search";
import { AccountRow } from "./account-row";
import type { App } from "./screen";

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

/** What the list needs from the screen around it. */
export interface ListHooks {
  /**
   * The element that carries the list's marks: `data-now-ms` and
   * `data-settled` (read by the end-to-end tests), `data-slowest-tick-ms`
   * (read by `app::bench`).
   */
  marks: HTMLElement;
  /** Arrow Up on the first row: where the focus goes instead. */
  upFromFirst(): void;
}

/** The account list: its rows, what a search shows of them, and each tick's codes. */
export class AccountList {
  /** The list's place on the screen: a search replaces the list inside it. */
  readonly host: HTMLDivElement;
  private list: HTMLUListElement;
  private rows: AccountRow[] = [];
  /** The rows that match the search, in order; the list shows these. */
  private shown: AccountRow[] = [];
  /**
   * Lists a search replaced, emptied a chunk a frame under the current
   * list, which covers them meanwhile (class `covering`).
   */
  private retiring: HTMLUListElement[] = [];
  /** The latest codes, and when they came (performance.now()). */
  private latest: { codes: Codes; at: number } | null = null;
  private slowestTick = 0;
  /**
   * The shortest row seen, in CSS pixels, from the observer's reports (read
   * there without forcing a layout); 0 until the first.
   */
  private rowHeight = 0;
  private readonly rowByNode = new Map<Element, AccountRow>();
  private readonly watcher: IntersectionObserver | null;
  private readonly joining: FrameQueue<AccountRow>;
  private readonly leaving: FrameQueue<HTMLLIElement>;
  private readonly offScreen: FrameQueue<AccountRow>;

  constructor(
    private readonly app: App,
    private readonly hooks: ListHooks,
  ) {
    this.list = el("ul", { class: "account-list", "aria-label": "Accounts", "data-testid": "account-list" });
    this.list.addEventListener("keydown", this.onListKey);
    this.host = el("div", { class: "list-host" }, this.list);
    this.watcher = this.watch();
    // Matching rows past the first screenful join the list a chunk a frame.
    this.joining = new FrameQueue<AccountRow>(JOIN_PER_FRAME, (batch) => {
      this.list.append(...batch.map((r) => r.li));
    });
    // Rows a search took off leave their old list a chunk a frame; the empty
    // lists go last. A row that matches again has moved to the current list
    // by then and stays.
    this.leaving = new FrameQueue<HTMLLIElement>(
      LEAVE_PER_FRAME,
      (batch) => {
        const started = performance.now();
        for (const li of batch) {
          if (li.parentNode !== this.list) {
            li.remove();
          }
        }
        this.measured(started);
      },
      () => {
        this.retiring.forEach((old) => old.remove());
        this.retiring = [];
        this.list.classList.remove("covering");
        this.list.style.removeProperty("z-index");
      },
    );
    // After a tick, the rows off screen take their new codes a chunk a frame.
    this.offScreen = new FrameQueue<AccountRow>(
      OFF_SCREEN_PER_FRAME,
      (batch) => {
        const started = performance.now();
        const now = this.drawingNowMs();
        for (const row of batch) {
          row.draw(now, false);
        }
        this.measured(started);
      },
      () => {
        // Every row now shows the codes of `data-now-ms`.
        this.hooks.marks.dataset.settled = "";
      },
    );
  }

  /** The rows that match the search, in the order shown. */
  get shownRows(): readonly AccountRow[] {
    return this.shown;
  }

  /** How many rows there are, shown or not. */
  get total(): number {
    return this.rows.length;
  }

  /**
   * Rows within a screen's height of the view count as on screen, so a row
   * scrolled into view has its ring drawn before it shows.
   */
  private watch(): IntersectionObserver | null {
    if (typeof IntersectionObserver === "undefined") {
      return null;
    }
    return new IntersectionObserver(
      (entries) => {
        const now = this.drawingNowMs();
        for (const entry of entries) {
          const row = this.rowByNode.get(entry.target);
          const height = entry.boundingClientRect.height;
          if (height > 0 && (this.rowHeight === 0 || height < this.rowHeight)) {
            this.rowHeight = height;
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
  }

  /** The moment to draw a ring at: the latest codes' clock, moved on since. */
  private drawingNowMs(): number {
    return this.latest ? this.latest.codes.nowMs + (performance.now() - this.latest.at) : 0;
  }

  /** Notes the slowest piece of list work so far, which `app::bench` reads. */
  private measured(started: number): void {
    this.slowestTick = Math.max(this.slowestTick, performance.now() - started);
    this.hooks.marks.dataset.slowestTickMs = this.slowestTick.toFixed(1);
  }

  /** Rows a list change draws in full at once: those that can be on screen. */
  private screenful(): number {
    return this.rowHeight > 0 ? Math.min(FIRST, Math.ceil(window.innerHeight / this.rowHeight) + 1) : FIRST;
  }

  /**
   * Builds a row per account, in this order; none shows until the next
   * {@link filter}.
   */
  setAccounts(accounts: Account[]): void {
    this.rows = accounts.map((account) => new AccountRow(account, this.app));
    this.watcher?.disconnect();
    this.rowByNode.clear();
    for (const row of this.rows) {
      this.rowByNode.set(row.li, row);
      this.watcher?.observe(row.li);
      // Without an observer every row counts as on screen.
      row.onScreen = this.watcher === null;
    }
  }

  /** Hides or shows the list (hidden while there are no accounts). */
  setHidden(hidden: boolean): void {
    this.list.hidden = hidden;
  }

  /** The id of the account whose row has the focus, if one has. */
  focusedId(): string | undefined {
    return (document.activeElement?.closest("li.account") as HTMLElement | null)?.dataset.id;
  }

  /** Focuses the row of the account with this id, if it has one. */
  focus(id: string): void {
    this.rows.find((r) => r.account.id === id)?.copyButton.focus();
  }

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
  filter(query: string, tag: string): void {
    const words = queryWords(query);
    const wantedTag = tag.toLowerCase();
    this.shown = this.rows.filter(
      (row) =>
        matchesKey(row.searchKey, words) &&
        (wantedTag === "" || row.account.tags.some((t) => t.toLowerCase() === wantedTag)),
    );
    const fresh = this.list.cloneNode(false) as HTMLUListElement;
    fresh.addEventListener("keydown", this.onListKey);
    const inFull = this.screenful();
    const first = this.shown.slice(0, inFull);
    fresh.append(...first.map((r) => r.li));
    const old = this.list;
    // Before the old list, so keyboard and screen-reader order meet the
    // fresh rows first.
    old.before(fresh);
    this.list = fresh;
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
      this.retiring.push(old);
      this.leaving.push(stale.reverse(), 1);
    }
    // Set while the fresh list is not yet laid out, so it costs nothing.
    // Each covering list paints over the lists made before it, which may
    // still be covering lists themselves (the CSP allows styles set
    // through CSSOM).
    fresh.classList.toggle("covering", this.retiring.length > 0);
    if (this.retiring.length > 0) {
      fresh.style.setProperty("z-index", String(this.retiring.length));
    } else {
      fresh.style.removeProperty("z-index");
    }
    // The first rows are drawn before they show; the observer takes over
    // from the next frame, for those that join later too.
    const now = this.drawingNowMs();
    first.forEach((row) => {
      row.onScreen = true;
      row.draw(now, true);
    });
    // The next frame paints only the first screenful; the rest comes after.
    this.joining.replace(this.shown.slice(inFull), 1);
  }

  /** Takes a tick's codes: rows on screen show them at once, the rest a chunk a frame. */
  tick(codes: Codes): void {
    const started = performance.now();
    this.latest = { codes, at: started };
    const marks = this.hooks.marks;
    // The moment these codes are for, readable with them in one step once
    // `data-settled` is back (the end-to-end tests compare against
    // oathtool at exactly this moment). Rows on screen show them at once.
    marks.dataset.nowMs = String(codes.nowMs);
    delete marks.dataset.settled;
    const byId = new Map(codes.codes.map((c) => [c.id, c]));
    const rest: AccountRow[] = [];
    for (const row of this.rows) {
      row.view = byId.get(row.account.id) ?? row.view;
      if (row.onScreen) {
        row.draw(codes.nowMs, true);
      } else {
        rest.push(row);
      }
    }
    this.offScreen.replace(rest);
    if (rest.length === 0) {
      marks.dataset.settled = "";
    }
    // When codes first showed, for the benchmark.
    if (this.rows.length > 0 && document.documentElement.dataset.firstCodeAt === undefined) {
      document.documentElement.dataset.firstCodeAt = String(Date.now());
    }
    this.measured(started);
  }

  /** Arrow keys move between the rows shown, and up from the first out of the list. */
  private readonly onListKey = (event: KeyboardEvent): void => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    const visible = this.shown;
    const at = visible.findIndex((r) => r.li.contains(document.activeElement));
    if (at < 0) {
      return;
    }
    event.preventDefault();
    if (event.key === "ArrowDown") {
      visible[at + 1]?.copyButton.focus();
    } else if (at === 0) {
      this.hooks.upFromFirst();
    } else {
      visible[at - 1]?.copyButton.focus();
    }
  };
}
