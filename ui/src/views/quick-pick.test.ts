import { describe, expect, it } from "vitest";
import type { Account } from "../api";
import { testAccount } from "../lib/test-account";
import { quickPickMatches } from "./quick-pick";

function account(issuer: string, name: string, favourite = false): Account {
  return testAccount(issuer, name, { favourite });
}

describe("quickPickMatches", () => {
  const accounts = [account("Zürich Bank", "dave"), account("GitHub", "dave"), account("Gitea", "dave", true)];

  it("lists every account in list order before a search, favourites first", () => {
    expect(quickPickMatches(accounts, "").map((a) => a.issuer)).toEqual(["Gitea", "GitHub", "Zürich Bank"]);
  });

  it("finds by the main list's rules: every word, without accents", () => {
    expect(quickPickMatches(accounts, "git hub").map((a) => a.issuer)).toEqual(["GitHub"]);
    expect(quickPickMatches(accounts, "zurich").map((a) => a.issuer)).toEqual(["Zürich Bank"]);
    expect(quickPickMatches(accounts, "nothing")).toEqual([]);
  });

  it("shows at most eight matches", () => {
    const many = Array.from({ length: 20 }, (_, i) => account(`Service ${String(i).padStart(2, "0")}`, "me"));
    expect(quickPickMatches(many, "service")).toHaveLength(8);
  });
});
