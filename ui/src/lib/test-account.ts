import type { Account } from "../api";

/**
 * An account as the page receives it, for unit tests: a TOTP with the
 * usual parameters, `extra` overriding any field.
 */
export function testAccount(issuer: string, name: string, extra: Partial<Account> = {}): Account {
  return {
    id: `${issuer}/${name}`,
    issuer,
    name,
    kind: "totp",
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    counter: "0",
    favourite: false,
    tags: [],
    notes: "",
    createdAt: 0,
    recoveryUnused: null,
    recoveryWarning: null,
    ...extra,
  };
}
