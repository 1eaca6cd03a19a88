// Finding and ordering accounts in the list: pure functions over the
// account list, so the filtering users rely on is unit-tested.
import type { Account, SortOrder } from "../api";

/** Lower case without accents, so "zurich" finds "Zürich". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

/**
 * Whether an account matches a query. Every word must match: a word that
 * starts with `#` must begin one of the account's tags; any other word must
 * appear in the issuer, the account name or a tag.
 */
export function matches(account: Account, query: string): boolean {
  const words = fold(query).split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) {
    return true;
  }
  const issuer = fold(account.issuer);
  const name = fold(account.name);
  const tags = account.tags.map(fold);
  return words.every((word) => {
    if (word.startsWith("#")) {
      const tag = word.slice(1);
      return tag.length === 0 ? tags.length > 0 : tags.some((t) => t.startsWith(tag));
    }
    return issuer.includes(word) || name.includes(word) || tags.some((t) => t.includes(word));
  });
}

/**
 * Compares texts ignoring case and accents. Written out rather than with
 * Intl.Collator: under the C locale (as in a bare session) WebKit's collator
 * compares code points, which puts "GitHub" before "Gitea".
 */
export function compareText(a: string, b: string): number {
  const x = fold(a);
  const y = fold(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Favourites first, then the chosen order; ties keep the vault's order. */
export function sortAccounts(accounts: readonly Account[], order: SortOrder): Account[] {
  const indexed = accounts.map((account, index) => ({ account, index }));
  const byOrder = (a: Account, b: Account): number => {
    switch (order) {
      case "issuer":
        return compareText(a.issuer, b.issuer) || compareText(a.name, b.name);
      case "name":
        return compareText(a.name, b.name) || compareText(a.issuer, b.issuer);
      case "recent":
        return b.createdAt - a.createdAt;
      case "manual":
        return 0;
    }
  };
  indexed.sort((x, y) => {
    if (x.account.favourite !== y.account.favourite) {
      return x.account.favourite ? -1 : 1;
    }
    return byOrder(x.account, y.account) || x.index - y.index;
  });
  return indexed.map((x) => x.account);
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
