import { describe, expect, it } from "vitest";
import type { Account } from "../api";
import {
  accountLabel,
  allTags,
  compareText,
  matches,
  matchesKey,
  parseTags,
  queryWords,
  searchKey,
  sortAccounts,
} from "./search";
import { testAccount } from "./test-account";

const account = testAccount;

describe("matches", () => {
  const github = account("GitHub", "alice@example.com", { tags: ["work", "code"] });

  it("finds issuer and name parts in any case", () => {
    expect(matches(github, "")).toBe(true);
    expect(matches(github, "  ")).toBe(true);
    expect(matches(github, "git")).toBe(true);
    expect(matches(github, "HUB")).toBe(true);
    expect(matches(github, "example.com")).toBe(true);
    expect(matches(github, "gitlab")).toBe(false);
  });

  it("needs every word to match", () => {
    expect(matches(github, "git alice")).toBe(true);
    expect(matches(github, "git bob")).toBe(false);
  });

  it("matches tags, and #tag only tags", () => {
    expect(matches(github, "work")).toBe(true);
    expect(matches(github, "#wo")).toBe(true);
    expect(matches(github, "#git")).toBe(false);
    expect(matches(github, "#")).toBe(true);
    expect(matches(account("A", "b"), "#")).toBe(false);
  });

  it("ignores accents both ways", () => {
    const bank = account("Zürich Bank", "bob");
    expect(matches(bank, "zurich")).toBe(true);
    expect(matches(account("Zurich", "x"), "zürich")).toBe(true);
  });
});

describe("searchKey and queryWords", () => {
  it("fold once what every keystroke compares", () => {
    const key = searchKey(account("Zürich Bank", "ÉLISE", { tags: ["Wörk"] }));
    expect(key).toEqual({ issuer: "zurich bank", name: "elise", tags: ["work"] });
    expect(queryWords("  Zür  #WÖ ")).toEqual(["zur", "#wo"]);
    expect(queryWords(" \t ")).toEqual([]);
    expect(matchesKey(key, [])).toBe(true);
    expect(matchesKey(key, queryWords("zur #wo elise"))).toBe(true);
    expect(matchesKey(key, queryWords("zur #bank"))).toBe(false);
  });
});

describe("sortAccounts", () => {
  const a = account("beta", "x", { createdAt: 3 });
  const b = account("Alpha", "y", { createdAt: 1 });
  const c = account("gamma", "a", { createdAt: 2, favourite: true });
  const d = account("GitHub", "z", { createdAt: 4 });
  const e = account("Gitea", "z", { createdAt: 5 });

  it("puts favourites first, then the chosen order", () => {
    const ids = (list: Account[]): string[] => list.map((x) => x.issuer);
    expect(ids(sortAccounts([a, b, c, d, e], "issuer"))).toEqual(["gamma", "Alpha", "beta", "Gitea", "GitHub"]);
    expect(ids(sortAccounts([a, b, c], "name"))).toEqual(["gamma", "beta", "Alpha"]);
    expect(ids(sortAccounts([a, b, c, d], "recent"))).toEqual(["gamma", "GitHub", "beta", "Alpha"]);
    expect(ids(sortAccounts([a, b, c], "manual"))).toEqual(["gamma", "beta", "Alpha"]);
  });

  it("does not change the list it is given", () => {
    const list = [a, b];
    sortAccounts(list, "issuer");
    expect(list).toEqual([a, b]);
  });

  it("compares ignoring case and accents", () => {
    expect(compareText("Gitea", "GitHub")).toBeLessThan(0);
    expect(compareText("ä", "A")).toBe(0);
    expect(compareText("b", "A")).toBeGreaterThan(0);
  });
});

describe("helpers", () => {
  it("lists each tag once", () => {
    const list = [account("a", "", { tags: ["Work", "home"] }), account("b", "", { tags: ["work"] })];
    expect(allTags(list)).toEqual(["home", "Work"]);
  });

  it("names accounts like the CLI", () => {
    expect(accountLabel({ issuer: "GitHub", name: "alice" })).toBe("GitHub (alice)");
    expect(accountLabel({ issuer: "GitHub", name: "" })).toBe("GitHub");
    expect(accountLabel({ issuer: "", name: "alice" })).toBe("alice");
    expect(accountLabel({ issuer: "", name: "" })).toBe("unnamed account");
  });

  it("splits tag fields", () => {
    expect(parseTags(" work, ,home ,")).toEqual(["work", "home"]);
  });
});
