import { describe, expect, it } from "vitest";
import { BRANDS } from "./brand-data.generated";
import { brandColours, brandFor, compact, contrast, GLYPH_DARK, GLYPH_LIGHT, luminance } from "./brands";

const slugOf = (issuer: string): string | null => brandFor(issuer)?.slug ?? null;

describe("brand icons", () => {
  it("matches issuers by name, whatever the case, spacing or accents", () => {
    expect(slugOf("Google")).toBe("google");
    expect(slugOf("GITHUB")).toBe("github");
    expect(slugOf("  gitlab ")).toBe("gitlab");
    expect(slugOf("Epic Games")).toBe("epicgames");
    expect(slugOf("EpicGames")).toBe("epicgames");
    expect(slugOf("Proton Mail")).toBe("protonmail");
    expect(slugOf("Proton")).toBe("proton");
    expect(slugOf("Digital Ocean")).toBe("digitalocean");
    expect(slugOf("1Password")).toBe("1password");
    expect(slugOf("Ko-fi")).toBe("kofi");
    expect(slugOf("Hugging Face")).toBe("huggingface");
  });

  it("matches hosts and web addresses by the name in them", () => {
    expect(slugOf("google.com")).toBe("google");
    expect(slugOf("accounts.google.com")).toBe("google");
    expect(slugOf("https://github.com/login")).toBe("github");
    expect(slugOf("mastodon.social")).toBe("mastodon");
    expect(slugOf("x.com")).toBe("x");
    expect(slugOf("ebay.co.uk")).toBe("ebay");
    expect(slugOf("npmjs.com")).toBe("npm");
    expect(slugOf("zoom.us")).toBe("zoom");
  });

  it("keeps the dot of names that have one", () => {
    expect(slugOf("Battle.net")).toBe("battledotnet");
    expect(slugOf("battlenet")).toBe("battledotnet");
    expect(slugOf("GOG.com")).toBe("gogdotcom");
    expect(slugOf("itch.io")).toBe("itchdotio");
    expect(slugOf("Fly.io")).toBe("flydotio");
  });

  it("knows other names of a brand", () => {
    expect(slugOf("Twitter")).toBe("x");
    expect(slugOf("twitter.com")).toBe("x");
    expect(slugOf("X")).toBe("x");
    expect(slugOf("Tutanota")).toBe("tuta");
    expect(slugOf("Gmail")).toBe("gmail");
    expect(slugOf("Google Mail")).toBe("gmail");
    expect(slugOf("Blizzard")).toBe("battledotnet");
    expect(slugOf("Linode")).toBe("akamai");
    expect(slugOf("1&1")).toBe("ionos");
    expect(slugOf("Docker Hub")).toBe("docker");
  });

  it("drops generic words and notes after the name", () => {
    expect(slugOf("Apple ID")).toBe("apple");
    expect(slugOf("GitHub Enterprise")).toBe("github");
    expect(slugOf("Hetzner Cloud")).toBe("hetzner");
    expect(slugOf("Google Cloud")).toBe("googlecloud");
    expect(slugOf("PlayStation Network")).toBe("playstation");
    expect(slugOf("Steam Guard")).toBe("steam");
    expect(slugOf("Google (work)")).toBe("google");
    expect(slugOf("Atlassian account")).toBe("atlassian");
  });

  it("leaves unknown issuers and look-alikes to the lettered icon", () => {
    expect(brandFor("")).toBeNull();
    expect(brandFor("   ")).toBeNull();
    expect(brandFor("Example Bank")).toBeNull();
    expect(brandFor("ACME")).toBeNull();
    // Simple Icons no longer carries these brands.
    expect(brandFor("Microsoft")).toBeNull();
    expect(brandFor("Amazon Web Services")).toBeNull();
    expect(brandFor("AWS")).toBeNull();
    // A brand's name followed by more than generic words is another name.
    expect(brandFor("Box Hill Credit Union")).toBeNull();
    expect(brandFor("Steam Heating Co")).toBeNull();
    expect(brandFor("githubber")).toBeNull();
    expect(brandFor("example.org")).toBeNull();
  });

  it("returns the icon's data", () => {
    const brand = brandFor("GitHub");
    expect(brand?.title).toBe("GitHub");
    expect(brand?.hex).toMatch(/^#[0-9A-F]{6}$/);
    expect(brand?.path).toMatch(/^M/);
  });

  it("ships a curated set with well-formed data", () => {
    const entries = Object.entries(BRANDS);
    expect(entries.length).toBeGreaterThan(100);
    expect(entries.length).toBeLessThan(400);
    for (const [slug, [title, hex, path]] of entries) {
      expect(slug).toMatch(/^[a-z0-9]+$/);
      expect(title).not.toBe("");
      expect(hex).toMatch(/^[0-9A-F]{6}$/);
      expect(path).toMatch(/^[Mm][\d\s.,\-a-zA-Z]+$/);
    }
  });

  it("compacts names", () => {
    expect(compact("Ñandú & Co.")).toBe("nanduandco");
    expect(compact("--")).toBe("");
  });
});

describe("brand colours", () => {
  it("computes WCAG luminance and contrast", () => {
    expect(luminance("#000000")).toBe(0);
    expect(luminance("#ffffff")).toBeCloseTo(1, 6);
    expect(contrast(0, 1)).toBeCloseTo(21, 6);
  });

  it("puts a white glyph on dark brands and a dark one on light brands", () => {
    expect(brandColours("#000000").glyph).toBe(GLYPH_LIGHT);
    expect(brandColours("#181717").glyph).toBe(GLYPH_LIGHT);
    expect(brandColours("#6D4AFF").glyph).toBe(GLYPH_LIGHT);
    expect(brandColours("#FFFC00").glyph).toBe(GLYPH_DARK);
    expect(brandColours("#F0B90B").glyph).toBe(GLYPH_DARK);
  });

  it("gives every bundled icon a glyph of at least 3:1 contrast on its disc", () => {
    for (const [slug, [, hex]] of Object.entries(BRANDS)) {
      const { glyph } = brandColours(`#${hex}`);
      const ratio = contrast(luminance(`#${hex}`), luminance(glyph));
      expect(ratio, slug).toBeGreaterThanOrEqual(3);
    }
  });

  it("outlines discs close to black or white, so they stand apart in either theme", () => {
    expect(brandColours("#000000").edge).toBe(true);
    expect(brandColours("#FFFC00").edge).toBe(true);
    expect(brandColours("#4285F4").edge).toBe(false);
  });
});
