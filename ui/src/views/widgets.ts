// Small pieces shared by several screens: the issuer icon, the countdown
// ring, and the code display.
import { el, svg } from "../dom";
import { fractionLeft, LOW_SECONDS, ringOffset, secondsLeft } from "../lib/countdown";
import { brandColours, brandFor } from "../lib/brands";
import { hueOf, initials } from "../lib/icon";

/**
 * The issuer's icon: the brand's logo on its colour when the issuer is a
 * known service (bundled, never fetched), else letters in a colour of the
 * issuer's own.
 */
export function issuerIcon(issuer: string, name: string): HTMLSpanElement {
  const brand = brandFor(issuer);
  if (brand !== null) {
    const { glyph, edge } = brandColours(brand.hex);
    const icon = el("span", { class: edge ? "issuer-icon brand edge" : "issuer-icon brand", "aria-hidden": "true", "data-brand": brand.slug });
    // CSSOM, not a style attribute: the CSP forbids inline styles.
    icon.style.setProperty("--brand-bg", brand.hex);
    icon.style.setProperty("--brand-fg", glyph);
    icon.append(svg("svg", { viewBox: "0 0 24 24", focusable: "false" }, svg("path", { d: brand.path })));
    return icon;
  }
  const icon = el("span", { class: "issuer-icon", "aria-hidden": "true" }, initials(issuer, name));
  icon.style.setProperty("--icon-hue", String(hueOf((issuer || name).toLowerCase())));
  return icon;
}

const RADIUS = 15;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/**
 * A countdown ring with the seconds left in its middle. The number is HTML
 * laid over the drawing, not SVG text, which lays out each glyph on its
 * own: 300 copies of the SVG-text ring cost the web process 10-14 KiB each
 * in the running app, against about 1 KiB without the text. Over a whole
 * 100-account list the change measured 0.2-0.6 MiB, within the noise.
 */
export class Ring {
  readonly node: HTMLSpanElement;
  private readonly arc: SVGCircleElement;
  private readonly label: HTMLSpanElement;
  private shownSeconds = -1;

  constructor() {
    this.arc = svg("circle", {
      class: "ring-arc",
      cx: "18",
      cy: "18",
      r: String(RADIUS),
      "stroke-dasharray": CIRCUMFERENCE.toFixed(3),
      transform: "rotate(-90 18 18)",
    });
    const drawing = svg(
      "svg",
      { viewBox: "0 0 36 36", width: "36", height: "36", "aria-hidden": "true", focusable: "false" },
      svg("circle", { class: "ring-track", cx: "18", cy: "18", r: String(RADIUS) }),
      this.arc,
    );
    this.label = el("span", { class: "ring-text", "aria-hidden": "true" });
    this.node = el("span", { class: "ring", "data-testid": "countdown" }, drawing, this.label);
  }

  /** Draws the ring for a code valid from..until at `nowMs`. */
  update(validFrom: number, validUntil: number, nowMs: number): void {
    const fraction = fractionLeft(validFrom, validUntil, nowMs);
    this.arc.setAttribute("stroke-dashoffset", ringOffset(CIRCUMFERENCE, fraction).toFixed(3));
    const seconds = secondsLeft(validUntil, nowMs);
    if (seconds !== this.shownSeconds) {
      this.shownSeconds = seconds;
      this.label.textContent = String(seconds);
      this.node.dataset.seconds = String(seconds);
      this.node.classList.toggle("low", seconds <= LOW_SECONDS);
    }
  }
}
