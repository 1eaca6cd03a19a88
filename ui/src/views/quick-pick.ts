// The quick-pick window's page (src-tauri/quick_pick.rs): opened by the
// global shortcut over another application, it finds an account as the
// user types. Enter copies the selected account's code (cleared after the
// delay, as in the main window), Shift+Enter has Rust type it into the
// window the user was in, Escape closes. Locked, it offers to unlock in
// the main window and never types. It shows no codes and holds no secret.
import * as api from "../api";
import type { Account } from "../api";
import { el } from "../dom";
import { accountLabel, matchesKey, queryWords, searchKey, sortAccounts } from "../lib/search";
import { loadTheme } from "../theme";

/** What the list shows at most: the quick pick is for a few matches. */
const MAX_SHOWN = 8;
/**
 * How long Shift+Enter waits for Shift to be let go before typing: keys
 * sent with Shift still held would type "!@#" for "123" (on Wayland
 * nothing else can tell that it is held).
 */
export const SHIFT_RELEASE_WAIT_MS = 3000;

/** The accounts a query finds, in list order, at most {@link MAX_SHOWN}. */
export function quickPickMatches(accounts: readonly Account[], query: string): Account[] {
  const words = queryWords(query);
  return sortAccounts(accounts, "issuer")
    .filter((a) => matchesKey(searchKey(a), words))
    .slice(0, MAX_SHOWN);
}

/** Builds the page in `root` and keeps it in step with each opening. */
export function startQuickPick(root: HTMLElement): void {
  document.title = "Tessera: quick pick";
  document.body.classList.add("quick-pick-page");
  // In the main window's colours; Rust tells both pages of later changes.
  void loadTheme();
  const search = el("input", {
    type: "search",
    class: "quick-pick-search",
    placeholder: "Find an account",
    "aria-label": "Find an account",
    autocomplete: "off",
    spellcheck: "false",
    "data-testid": "quick-pick-search",
  });
  const list = el("ul", { class: "quick-pick-list", role: "listbox", "aria-label": "Accounts", "data-testid": "quick-pick-list" });
  const note = el("p", { class: "quick-pick-note", role: "status", "aria-live": "polite", "data-testid": "quick-pick-note" });
  const help = el("p", { class: "quick-pick-help", "data-testid": "quick-pick-help" });
  root.replaceChildren(el("div", { class: "quick-pick" }, search, list, note, help));

  let accounts: Account[] = [];
  let shown: Account[] = [];
  let selected = 0;
  let locked = false;
  let busy = false;
  // Whether Shift is down, from the page's own key events.
  let shiftHeld = false;
  let shiftReleased: (() => void) | null = null;
  // Counted on the body, so a test (or a screen reader's script) can tell
  // an opening and a typing have finished.
  let opened = 0;
  let typed = 0;

  const render = (): void => {
    shown = quickPickMatches(accounts, search.value);
    selected = Math.min(selected, Math.max(shown.length - 1, 0));
    list.replaceChildren(
      ...shown.map((account, index) => {
        const item = el(
          "li",
          {
            role: "option",
            class: "quick-pick-item",
            "aria-selected": String(index === selected),
            "data-testid": "quick-pick-item",
          },
          accountLabel(account),
        );
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          selected = index;
          void copy();
        });
        return item;
      }),
    );
    if (!locked) {
      note.textContent = accounts.length > 0 && shown.length === 0 ? "No account matches." : "";
    }
  };

  const close = async (): Promise<void> => {
    await api.quickPickClose().catch(() => null);
  };

  const copy = async (): Promise<void> => {
    const account = shown[selected];
    if (locked) {
      await api.quickPickUnlock();
      return;
    }
    if (!account) {
      return;
    }
    try {
      await api.copyCode(account.id);
      await close();
    } catch (e) {
      note.textContent = api.errorText(e);
    }
  };

  /** Resolves true once Shift is up, false if it stays down too long. */
  const shiftUp = (): Promise<boolean> =>
    shiftHeld
      ? new Promise((resolve) => {
          const timer = window.setTimeout(() => {
            shiftReleased = null;
            resolve(false);
          }, SHIFT_RELEASE_WAIT_MS);
          shiftReleased = () => {
            window.clearTimeout(timer);
            shiftReleased = null;
            resolve(true);
          };
        })
      : Promise.resolve(true);

  const type = async (): Promise<void> => {
    const account = shown[selected];
    if (locked || !account) {
      return;
    }
    note.textContent = "";
    if (!(await shiftUp())) {
      note.textContent = "Let go of Shift after Shift+Enter: nothing was typed.";
      return;
    }
    try {
      await api.quickPickType(account.id);
      typed += 1;
      document.body.dataset.typed = String(typed);
    } catch (e) {
      note.textContent = api.errorText(e);
    }
  };

  /** Fresh state for each opening: an empty search and the current list. */
  const open = async (): Promise<void> => {
    search.value = "";
    selected = 0;
    note.textContent = "";
    try {
      accounts = await api.listAccounts().then((l) => l.accounts);
      locked = false;
      search.disabled = false;
    } catch (e) {
      accounts = [];
      locked = api.errorKind(e) === "locked";
      note.textContent = locked ? "Tessera is locked. Press Enter to unlock it in the main window." : api.errorText(e);
    }
    search.disabled = locked;
    render();
    let typing: string | null = null;
    try {
      typing = (await api.quickPickReady()).typingProblem;
    } catch (e) {
      typing = api.errorText(e);
    }
    help.textContent = locked
      ? "Escape closes."
      : typing === null
        ? "Enter copies · Shift+Enter types · Escape closes"
        : `Enter copies · Escape closes. ${typing}`;
    opened += 1;
    document.body.dataset.opened = String(opened);
    document.body.dataset.locked = String(locked);
    if (locked) {
      help.tabIndex = -1;
      help.focus();
    } else {
      search.focus();
    }
  };

  search.addEventListener("input", () => {
    selected = 0;
    render();
  });
  document.addEventListener("keyup", (event) => {
    if (event.key === "Shift") {
      shiftHeld = false;
      shiftReleased?.();
    }
  });
  document.addEventListener("keydown", (event) => {
    // Read from each key, so a Shift pressed before the window had the
    // focus counts too.
    shiftHeld = event.key === "Shift" || event.shiftKey;
    if (busy) {
      event.preventDefault();
      return;
    }
    const act = (work: () => Promise<void>): void => {
      event.preventDefault();
      busy = true;
      void work().finally(() => {
        busy = false;
      });
    };
    if (event.key === "Escape") {
      act(close);
    } else if (event.key === "Enter" && event.shiftKey) {
      act(type);
    } else if (event.key === "Enter") {
      act(copy);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      selected = Math.min(Math.max(selected + step, 0), Math.max(shown.length - 1, 0));
      render();
    }
  });
  // Rust dispatches this each time the shortcut opens the window again.
  window.addEventListener("tessera-quick-pick-open", () => void open());
  void open();
}
