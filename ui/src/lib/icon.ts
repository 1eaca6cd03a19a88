// The lettered fallback icon of an issuer: one or two letters and a colour
// that is always the same for the same issuer.

/** Up to two letters for an issuer ("Example Corp" -> "EC", "github" -> "G"). */
export function initials(issuer: string, name: string): string {
  const source = (issuer.trim() || name.trim()).replace(/@.*$/, "");
  const words = source.split(/[\s._-]+/u).filter((w) => /\p{L}|\p{N}/u.test(w));
  const first = (word: string | undefined): string => {
    const ch = [...(word ?? "")].find((c) => /\p{L}|\p{N}/u.test(c));
    return ch ? ch.toLocaleUpperCase() : "";
  };
  if (words.length === 0) {
    return "?";
  }
  if (words.length === 1) {
    return first(words[0]);
  }
  return first(words[0]) + first(words[1]);
}

/** A stable hue (0-359) for a text, so each issuer keeps its colour. */
export function hueOf(text: string): number {
  // FNV-1a over UTF-16 units: tiny, stable, well spread.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 360;
}
