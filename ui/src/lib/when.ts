// Moments the app shows (a backup written, a sync done, a device's file
// changed): local date and time to the minute, and how long ago. Plain
// arithmetic on unix seconds, so it is easy to test.

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** "1 account", "2 accounts". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The clock now, in unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A moment as local date and time to the minute: "2026-12-04 13:05". */
export function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How long before `now` a moment was: "just now", "5 minutes ago", "2 days ago". */
export function ago(seconds: number, now: number): string {
  const past = Math.max(0, now - seconds);
  if (past < MINUTE) {
    return "just now";
  }
  if (past < HOUR) {
    return `${plural(Math.floor(past / MINUTE), "minute")} ago`;
  }
  if (past < DAY) {
    return `${plural(Math.floor(past / HOUR), "hour")} ago`;
  }
  return `${plural(Math.floor(past / DAY), "day")} ago`;
}

/** A moment and how long ago it was: "2026-12-04 13:05 (5 minutes ago)". */
export function when(seconds: number, now: number): string {
  return `${localTime(seconds)} (${ago(seconds, now)})`;
}

/** A file's size, rounded up to whole KiB as file managers show it. */
export function kib(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / 1024))} KiB`;
}
