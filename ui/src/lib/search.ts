// Finding and ordering accounts in the list: pure functions over the
// account list, so the filtering users rely on is unit-tested.
import type { Account, SortOrder } from "../api";

/** Lower case without accents, so "zurich" finds "Zürich". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/**
 * An account's issuer, name and tags as searches compare them, folded once
 * when the list is built: folding takes a Unicode normalisation and a
 * regular expression per text, which the page's JIT-less script engine
 * would otherwise run three times per account on every keystroke.
 */
export interface SearchKey {
  readonly issuer: string;
  readonly name: string;
  readonly tags: readonly string[];
}

/** Folds an account's texts for {@link matchesKey}. */
export function searchKey(account: Pick<Account, "issuer" | "name" | "tags">): SearchKey {
  return { issuer: fold(account.issuer), name: fold(account.name), tags: account.tags.map(fold) };
}

/** A query's words, folded; none for a blank query. */
export function queryWords(query: string): string[] {
  return fold(query)
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/**
 * Whether an account, by its {@link searchKey}, matches a query's words. Every
 * word must match: a word that starts with `#` must begin one of the
 * account's tags; any other word must appear in the issuer, the account
 * name or a tag.
 */
export function matchesKey(key: SearchKey, words: readonly string[]): boolean {
  return words.every((word) => {
    if (word.startsWith("#")) {
      const tag = word.slice(1);
      return tag.length === 0 ? key.tags.length > 0 : key.tags.some((t) => t.startsWith(tag));
    }
    return key.issuer.includes(word) || key.name.includes(word) || key.tags.some((t) => t.includes(word));
  });
}

/** Whether an account matches a query (see {@link matchesKey}). */
export function matches(account: Account, query: string): boolean {
  return matchesKey(searchKey(account), queryWords(query));
}

/**
 * Compares texts ignoring case and accents. Written out rather than with
 * Intl.Collator: under the C locale (as in a bare session) WebKit's collator
 * compares code points, which puts "GitHub" before "Gitea".
 */
export function compareText(a: string, b: string): number {
  return compareFolded(fold(a), fold(b));
}

/** Compares texts already folded (see {@link fold}): by code point. */
function compareFolded(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Favourites first, then the chosen order; ties keep the vault's order.
 * Texts are folded once per account, not once per comparison.
 */
export function sortAccounts(accounts: readonly Account[], order: SortOrder): Account[] {
  const keyed = accounts.map((account, index) => ({
    account,
    index,
    issuer: fold(account.issuer),
    name: fold(account.name),
  }));
  type Keyed = (typeof keyed)[number];
  const byOrder = (a: Keyed, b: Keyed): number => {
    switch (order) {
      case "issuer":
        return compareFolded(a.issuer, b.issuer) || compareFolded(a.name, b.name);
      case "name":
        return compareFolded(a.name, b.name) || compareFolded(a.issuer, b.issuer);
      case "recent":
        return b.account.createdAt - a.account.createdAt;
      case "manual":
        return 0;
    }
  };
  keyed.sort((x, y) => {
    if (x.account.favourite !== y.account.favourite) {
      return x.account.favourite ? -1 : 1;
    }
    return byOrder(x, y) || x.index - y.index;
  });
  return keyed.map((x) => x.account);
}

/** Every tag in use, sorted, each once (ignoring case). */
export function allTags(accounts: readonly Account[]): string[] {
  const seen = new Map<string, string>();
  for (const account of accounts) {
    for (const tag of account.tags) {
      const key = fold(tag);
      if (!seen.has(key)) {
        seen.set(key, tag);
      }
    }
  }
  return [...seen.values()].sort((a, b) => compareText(a, b));
}

/** How an account is named in messages: "Issuer (name)", as the CLI does. */
export function accountLabel(account: Pick<Account, "issuer" | "name">): string {
  if (account.issuer && account.name) {
    return `${account.issuer} (${account.name})`;
  }
  return account.issuer || account.name || "unnamed account";
}

/** Splits a comma-separated tag field into tags. */
export function parseTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}
