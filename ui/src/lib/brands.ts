// Which bundled brand icon (Simple Icons, offline) fits an issuer, and how to
// colour it readably. Issuers are free text ("Google", "google.com",
// "GitHub Enterprise", "Battle.net"), so they are normalised and tried in a
// few forms; anything unknown keeps the lettered icon.
import { BRANDS } from "./brand-data.generated";

export interface Brand {
  slug: string;
  title: string;
  /** The brand colour, "#rrggbb". */
  hex: string;
  /** An SVG path on a 24x24 view box. */
  path: string;
}

// Other names issuers go by, as compact keys (see `compact`). Titles, slugs
// and Simple Icons' own "also known as" names are indexed without listing.
const ALIASES: Record<string, string> = {
  googlemail: "gmail",
  gsuite: "google",
  onepassword: "1password",
  agilebits: "1password",
  npmjs: "npm",
  pythonpackageindex: "pypi",
  dockerhub: "docker",
  // Linode is Akamai's cloud now, signed in through Akamai's account.
  linode: "akamai",
  ovhcloud: "ovh",
  aliyun: "alibabacloud",
  hcp: "hashicorp",
  hashicorpcloudplatform: "hashicorp",
  mongodbatlas: "mongodb",
  elastic: "elasticcloud",
  grafanalabs: "grafana",
  "1and1": "ionos",
  mailboxorg: "mailbox",
  protonme: "proton",
  ubuntuone: "ubuntu",
  unifi: "ubiquiti",
  ui: "ubiquiti",
  srht: "sourcehut",
  epic: "epicgames",
  blizzard: "battledotnet",
  blizzardentertainment: "battledotnet",
  electronicarts: "ea",
  riot: "riotgames",
  psn: "playstation",
  sonyentertainmentnetwork: "playstation",
  gog: "gogdotcom",
  goggalaxy: "gogdotcom",
  itch: "itchdotio",
  humble: "humblebundle",
  rockstar: "rockstargames",
  steampowered: "steam",
  steamcommunity: "steam",
  transferwise: "wise",
  squareup: "square",
  binanceus: "binance",
  okex: "okx",
  blockchain: "blockchaindotcom",
  nord: "nordvpn",
  nordaccount: "nordvpn",
  snap: "snapchat",
  vkontakte: "vk",
  teslamotors: "tesla",
  fb: "facebook",
};

// Words after a brand's name that do not change the brand: "Apple ID",
// "GitHub Enterprise", "Hetzner Cloud", "PlayStation Network".
const GENERIC_WORDS = new Set([
  "account", "accounts", "admin", "app", "apps", "auth", "business", "cloud", "com", "connect",
  "console", "corp", "corporation", "dashboard", "enterprise", "gmbh", "guard", "id", "inc", "labs",
  "llc", "login", "ltd", "mfa", "network", "online", "portal", "security", "sso", "store", "web",
  "workspace", "2fa",
]);

// Second-level labels under a country's domain ("amazon.co.uk").
const SECOND_LEVEL = new Set(["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"]);

/** Lower case, no accents; "&" reads "and"; then letters and digits only. */
export function compact(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/&/g, "and")
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/** Like `compact`, but a dot reads "dot", as in the slugs "battledotnet", "gogdotcom". */
function compactDotted(text: string): string {
  return compact(text.replace(/\./g, "dot"));
}

let index: Map<string, string> | null = null;

/** Compact name -> slug, built on first use (a few hundred entries). */
function keys(): Map<string, string> {
  if (index === null) {
    index = new Map();
    for (const [slug, [title, , , aka]] of Object.entries(BRANDS)) {
      for (const name of [slug, title, ...aka]) {
        for (const key of [compactDotted(name), compact(name)]) {
          if (key !== "" && !index.has(key)) {
            index.set(key, slug);
          }
        }
      }
    }
    for (const [alias, slug] of Object.entries(ALIASES)) {
      if (slug in BRANDS) {
        index.set(alias, slug);
      }
    }
  }
  return index;
}

/** The name inside a host ("accounts.google.com" -> "google"), if `text` is one. */
function domainName(text: string): string | null {
  const host = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").replace(/[/?#].*$/, "");
  if (!/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(host)) {
    return null;
  }
  const labels = host.split(".");
  const tld = labels.pop() ?? "";
  const last = labels[labels.length - 1];
  if (labels.length >= 2 && tld.length === 2 && last !== undefined && SECOND_LEVEL.has(last)) {
    labels.pop();
  }
  return labels[labels.length - 1] ?? null;
}

/** The forms of an issuer worth looking up, most specific first. */
function candidates(issuer: string): string[] {
  const text = issuer.trim().toLowerCase();
  const plain = text.replace(/[([{].*?[)\]}]/g, " ").trim();
  const forms = [text, plain];
  const domain = domainName(plain);
  if (domain !== null) {
    forms.push(domain);
  }
  // Leading words, if all that follows is generic ("apple id").
  const words = plain.split(/[\s:|/,_-]+/u).filter((w) => w !== "");
  for (let n = words.length - 1; n >= 1; n -= 1) {
    if (words.slice(n).every((w) => GENERIC_WORDS.has(compact(w)))) {
      forms.push(words.slice(0, n).join(" "));
    }
  }
  return forms;
}

/** The bundled brand icon for an issuer, or null for the lettered one. */
export function brandFor(issuer: string): Brand | null {
  const known = keys();
  for (const form of candidates(issuer)) {
    for (const key of [compactDotted(form), compact(form)]) {
      const slug = key === "" ? undefined : known.get(key);
      const entry = slug === undefined ? undefined : BRANDS[slug];
      if (slug !== undefined && entry !== undefined) {
        return { slug, title: entry[0], hex: `#${entry[1]}`, path: entry[2] };
      }
    }
  }
  return null;
}

/** WCAG relative luminance of "#rrggbb". */
export function luminance(hex: string): number {
  const channel = (offset: number): number => {
    const value = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio between two luminances (1 to 21). */
export function contrast(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

export const GLYPH_LIGHT = "#ffffff";
export const GLYPH_DARK = "#111111";

/**
 * How to draw a brand on its own colour: the glyph in white or near-black,
 * whichever stands out more (black logos get white, yellow ones black), and
 * whether the disc needs an outline to stand apart from a page of a similar
 * lightness (near-black in the dark theme, near-white in the light one).
 */
export function brandColours(hex: string): { glyph: string; edge: boolean } {
  const l = luminance(hex);
  const glyph = contrast(l, luminance(GLYPH_LIGHT)) >= contrast(l, luminance(GLYPH_DARK)) ? GLYPH_LIGHT : GLYPH_DARK;
  return { glyph, edge: l < 0.03 || l > 0.6 };
}
