// The main screen: every account with its rolling code, countdown ring and,
// near the end of a period, the next code. Click or Enter copies; typing
// anywhere searches, and Enter in the search copies the first match. This
// module holds the toolbar, the search box, the sort and tag filters and
// the empty state, and wires them to the list (account-list.ts), which
// keeps a thousand rows (account-row.ts) fast.
import * as api from "../api";
import type { Account, SortOrder } from "../api";
import { el } from "../dom";
import { allTags, sortAccounts } from "../lib/search";
import { AccountList } from "./account-list";
import { showBackupReminder } from "./backup";
import type { App, Screen } from "./screen";
import { icon } from "./widgets";

const SORT_CHOICES: [SortOrder, string][] = [
  ["issuer", "Issuer"],
  ["name", "Account name"],
  ["recent", "Newest first"],
  ["manual", "Order added"],
];

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

/** The toolbar: the search box and the buttons to add, recovery codes, settings and lock. */
function toolbar(app: App, search: HTMLInputElement): HTMLElement {
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
  return el(
    "header",
    { class: "toolbar" },
    el("h1", { class: "sr-only", tabindex: "-1" }, "Accounts"),
    search,
    addButton,
    recoveryButton,
    settingsButton,
    lockButton,
  );
}

/** The sort order (the saved one to start with) and the tag filter. */
function filterControls(app: App): { filters: HTMLDivElement; sort: HTMLSelectElement; tagFilter: HTMLSelectElement } {
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
  return { filters, sort, tagFilter };
}

/** Offers the accounts' tags, keeping the chosen one while it is still there; returns them. */
function offerTags(tagFilter: HTMLSelectElement, accounts: Account[]): string[] {
  const tags = allTags(accounts);
  const chosen = tagFilter.value;
  tagFilter.replaceChildren(el("option", { value: "" }, "All"), ...tags.map((t) => el("option", { value: t }, t)));
  tagFilter.value = tags.includes(chosen) ? chosen : "";
  return tags;
}

/** Saves the sort order chosen, as the one to start with next time. */
function saveSortOrder(app: App, order: SortOrder): void {
  const settings = app.settings;
  if (settings) {
    const next = { ...settings, sortOrder: order };
    api
      .setSettings(next)
      .then((saved) => {
        app.settings = saved;
      })
      .catch((error: unknown) => app.toast(api.errorText(error), "error"));
  }
}

/**
 * The search box's keys: Enter copies the first match, Arrow Down goes to
 * it, Escape clears the search.
 */
function searchKeys(search: HTMLInputElement, list: AccountList, applyFilter: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      const first = list.shownRows[0];
      if (first) {
        void first.copy();
      }
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      list.shownRows[0]?.copyButton.focus();
    } else if (event.key === "Escape" && search.value !== "") {
      event.preventDefault();
      search.value = "";
      applyFilter();
    }
  };
}

/**
 * Typing anywhere searches: a printable key outside a field goes to the
 * search box. True if the key was used.
 */
function typeToSearch(search: HTMLInputElement, applyFilter: () => void): (event: KeyboardEvent) => boolean {
  return (event) => {
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
  };
}

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
  const header = toolbar(app, search);
  const { filters, sort, tagFilter } = filterControls(app);
  const noMatch = el("p", { class: "no-match", role: "status", "data-testid": "no-match", hidden: "" });
  const count = el("p", { class: "sr-only", "aria-live": "polite" });
  const empty = emptyState();
  const emptyAdd = el("button", { type: "button", class: "primary", "data-testid": "empty-add" }, "Add an account");
  emptyAdd.addEventListener("click", () => app.goAdd());
  empty.append(emptyAdd);
  const root = el("section", { class: "screen accounts", "aria-label": "Accounts" });
  const list = new AccountList(app, { marks: root, upFromFirst: () => search.focus() });
  // The no-match note comes before the list: lists a search replaced stay
  // under the current one for a few frames (see AccountList.filter).
  // The backup reminder, when due, goes between the toolbar and the list.
  const reminder = el("div", { class: "reminder-host" });
  root.append(header, reminder, filters, noMatch, list.host, empty, count);

  const applyFilter = (): void => {
    const query = search.value;
    const tag = tagFilter.value;
    list.filter(query, tag);
    const shown = list.shownRows.length;
    const filtering = query.trim() !== "" || tag !== "";
    noMatch.hidden = !(filtering && shown === 0 && list.total > 0);
    noMatch.textContent = noMatch.hidden ? "" : `No account matches “${query.trim() || tag}”.`;
    count.textContent = filtering ? `${shown} of ${list.total} accounts shown.` : "";
  };

  const build = (): void => {
    const focusedId = list.focusedId();
    list.setAccounts(sortAccounts(app.accounts, (sort.value as SortOrder) || "issuer"));
    const tags = offerTags(tagFilter, app.accounts);
    filters.hidden = app.accounts.length === 0;
    tagFilter.parentElement?.toggleAttribute("hidden", tags.length === 0);
    const hasAccounts = app.accounts.length > 0;
    empty.hidden = hasAccounts;
    list.setHidden(!hasAccounts);
    search.hidden = !hasAccounts;
    applyFilter();
    if (app.lastCodes) {
      list.tick(app.lastCodes);
    }
    if (focusedId) {
      list.focus(focusedId);
    }
    // Only a vault with something to lose needs the reminder.
    if (hasAccounts) {
      showBackupReminder(app, reminder);
    }
  };

  search.addEventListener("input", applyFilter);
  tagFilter.addEventListener("change", applyFilter);
  sort.addEventListener("change", () => {
    build();
    saveSortOrder(app, sort.value as SortOrder);
  });
  search.addEventListener("keydown", searchKeys(search, list, applyFilter));

  build();

  return {
    root,
    focus: app.accounts.length > 0 ? search : emptyAdd,
    tick: (codes) => list.tick(codes),
    accountsChanged: build,
    key: typeToSearch(search, applyFilter),
  };
}
