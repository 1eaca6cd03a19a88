// Splitting a one-time code into groups for reading and typing by eye, the
// same rule as the Rust side's `Code::grouped` (crates/otp), so the app and
// the CLI show codes alike.

const GROUPS: Record<number, number[]> = {
  6: [3, 3],
  7: [3, 4],
  8: [4, 4],
  9: [3, 3, 3],
  10: [5, 5],
};

/** "123456" -> "123 456"; lengths without a rule (Steam's 5) stay as they are. */
export function groupCode(code: string): string {
  const sizes = GROUPS[code.length];
  if (!sizes) {
    return code;
  }
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    parts.push(code.slice(at, at + size));
    at += size;
  }
  return parts.join(" ");
}

/** A code spelled out for screen readers: "1 2 3, 4 5 6". */
export function spokenCode(code: string): string {
  return groupCode(code)
    .split(" ")
    .map((group) => group.split("").join(" "))
    .join(", ");
}
