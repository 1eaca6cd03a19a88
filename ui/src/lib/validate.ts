// Checks for every field the user types, run as they type so each field
// says what is wrong before anything is sent. They mirror the Rust side's
// rules (crates/otp and src-tauri/limits.rs), which check everything again.
import type { OtpKind } from "../api";

/** A field's verdict: `null` when fine, else the message to show. */
export type Verdict = string | null;

/** Longest issuer or account name (src-tauri/limits.rs). */
export const MAX_LABEL_CHARS = 200;
/** Longest secret as typed. */
export const MAX_SECRET_CHARS = 1024;
/** Longest tag, and most tags on an account. */
export const MAX_TAG_CHARS = 40;
export const MAX_TAGS = 20;
/** Longest notes. */
export const MAX_NOTES_CHARS = 10_000;
/** Longest password (bytes of UTF-8). */
export const MAX_PASSWORD_BYTES = 1024;
/** Shortest new password the app accepts. */
export const MIN_NEW_PASSWORD_CHARS = 8;
/** Digits of HOTP/TOTP codes (RFC 4226). */
export const MIN_DIGITS = 6;
export const MAX_DIGITS = 10;
/** Longest period: ten years (crates/otp MAX_PERIOD). */
export const MAX_PERIOD = 10 * 365 * 24 * 60 * 60;
const MAX_U64 = 18446744073709551615n;

// Control characters would break one-line labels.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

function charCount(text: string): number {
  return [...text].length;
}

/** An issuer, account name or tag. */
export function validateLabel(text: string, what: string, max = MAX_LABEL_CHARS): Verdict {
  const trimmed = text.trim();
  if (charCount(trimmed) > max) {
    return `The ${what} is longer than ${max} characters.`;
  }
  if (CONTROL.test(trimmed)) {
    return `The ${what} must be one line.`;
  }
  return null;
}

/** An account needs an issuer or a name. */
export function validateNames(issuer: string, name: string): Verdict {
  if (issuer.trim() === "" && name.trim() === "") {
    return "Give the account an issuer, a name, or both.";
  }
  return null;
}

const SEPARATORS = new Set([" ", "-", "\t", "\n", "\r"]);

/**
 * A base32 secret as sites show it: any case, with spaces, dashes and `=`
 * padding at the end (the same rules as `Secret::from_base32`).
 */
export function validateSecret(text: string): Verdict {
  if (charCount(text) > MAX_SECRET_CHARS) {
    return `The secret is longer than ${MAX_SECRET_CHARS} characters.`;
  }
  let symbols = 0;
  let padding = false;
  let position = 0;
  for (const ch of text) {
    position += 1;
    if (SEPARATORS.has(ch)) {
      continue;
    }
    if (ch === "=") {
      padding = true;
      continue;
    }
    if (padding) {
      return "Padding (=) may only come at the end of the secret.";
    }
    if (!/^[A-Za-z2-7]$/.test(ch)) {
      const shown = ch === "0" || ch === "1" || ch === "8" || ch === "9" ? ` (base32 has no ${ch})` : "";
      return `“${ch}” at position ${position} is not a base32 letter${shown}: use A–Z and 2–7.`;
    }
    symbols += 1;
  }
  if (symbols === 0) {
    return "Enter the secret key the site shows.";
  }
  if ([1, 3, 6].includes(symbols % 8)) {
    return `${symbols} characters cannot be a whole key: one is probably missing or extra.`;
  }
  return null;
}

/** A hint, not an error: secrets under 80 bits are unusual and weak. */
export function secretHint(text: string): string | null {
  const symbols = [...text].filter((ch) => /^[A-Za-z2-7]$/.test(ch)).length;
  if (symbols > 0 && symbols < 16 && validateSecret(text) === null) {
    return "This key is shorter than sites usually give (16 characters or more); check it was copied whole.";
  }
  return null;
}

function wholeNumber(text: string): bigint | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return null;
  }
  return BigInt(trimmed);
}

/** Digits of a code (Steam has its fixed 5). */
export function validateDigits(text: string, kind: OtpKind): Verdict {
  if (kind === "steam") {
    return null;
  }
  const value = wholeNumber(text);
  if (value === null || value < BigInt(MIN_DIGITS) || value > BigInt(MAX_DIGITS)) {
    return `Codes have ${MIN_DIGITS} to ${MAX_DIGITS} digits.`;
  }
  return null;
}

/** Seconds per code, for TOTP (Steam's is fixed, HOTP has none). */
export function validatePeriod(text: string, kind: OtpKind): Verdict {
  if (kind !== "totp") {
    return null;
  }
  const value = wholeNumber(text);
  if (value === null || value < 1n || value > BigInt(MAX_PERIOD)) {
    return "The period is a whole number of seconds, at least 1 (usually 30).";
  }
  return null;
}

/** The HOTP counter: a whole number that fits 64 bits. Empty means 0. */
export function validateCounter(text: string, kind: OtpKind): Verdict {
  if (kind !== "hotp" || text.trim() === "") {
    return null;
  }
  const value = wholeNumber(text);
  if (value === null || value > MAX_U64) {
    return "The counter is a whole number from 0 (usually 0 or 1 for a new account).";
  }
  return null;
}

/** A comma-separated tag list. */
export function validateTags(tags: string[]): Verdict {
  if (tags.length > MAX_TAGS) {
    return `An account can have at most ${MAX_TAGS} tags.`;
  }
  for (const tag of tags) {
    const verdict = validateLabel(tag, "tag", MAX_TAG_CHARS);
    if (verdict) {
      return verdict;
    }
  }
  return null;
}

export function validateNotes(text: string): Verdict {
  return charCount(text) > MAX_NOTES_CHARS ? `Notes are limited to ${MAX_NOTES_CHARS} characters.` : null;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A password being typed to unlock. */
export function validatePassword(text: string): Verdict {
  if (text.length === 0) {
    return "Enter the vault's password.";
  }
  if (utf8Length(text) > MAX_PASSWORD_BYTES) {
    return `The password is longer than ${MAX_PASSWORD_BYTES} bytes.`;
  }
  return null;
}

/** A new password and its repetition. */
export function validateNewPassword(text: string, again: string): { password: Verdict; again: Verdict } {
  let password: Verdict = null;
  if (charCount(text) < MIN_NEW_PASSWORD_CHARS) {
    password = `Use at least ${MIN_NEW_PASSWORD_CHARS} characters; a few words are easier to remember than symbols.`;
  } else if (utf8Length(text) > MAX_PASSWORD_BYTES) {
    password = `The password is longer than ${MAX_PASSWORD_BYTES} bytes.`;
  }
  const repeat: Verdict = again === text ? null : "The two passwords differ.";
  return { password, again: repeat };
}

/** Looks like an `otpauth://` URI (the Rust side parses it properly). */
export function looksLikeOtpauth(text: string): boolean {
  return /^\s*otpauth(-migration)?:/i.test(text);
}
