// The pieces several screens share: the sub-screen header, line icons,
// the issuer icon and the countdown ring, held here; form fields and
// dialogs, which have modules of their own, are re-exported, so a view
// takes every shared piece from this one module.
import { el, svg } from "../dom";
import { fractionLeft, LOW_SECONDS, ringOffset, secondsLeft } from "../lib/countdown";
import { brandColours, brandFor } from "../lib/brands";
import { hueOf, initials } from "../lib/icon";
import type { App } from "./screen";

export { confirmDialog, promptDialog } from "./dialog";
export {
  busy,
  checkbox,
  formError,
  leavingToSubmit,
  selectField,
  textArea,
  textField,
  type Field,
} from "./form";

// Line icons for the toolbar and buttons, drawn here (no icon font, no
// remote content). Each is decorative: the button carries the label.
const PATHS = {
  plus: ["M12 5v14", "M5 12h14"],
  lock: ["M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z", "M8 11V8a4 4 0 0 1 8 0v3"],
  settings: ["M4 7h9", "M17 7h3", "M4 17h3", "M11 17h9", "M15 5v4", "M9 15v4"],
  back: ["M15 18l-6-6 6-6"],
  more: ["M5 12h.01", "M12 12h.01", "M19 12h.01"],
  star: ["M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z"],
  next: ["M20 12a8 8 0 1 1-2.3-5.7", "M20 4v4.5h-4.5"],
  copy: ["M9 9h10v11H9z", "M5 15V4h10"],
  key: ["M14.5 9.5a4 4 0 1 0-3.9 3.9", "M10.6 13.4L4 20v-3h3v-3h3"],
  qr: ["M4 4h6v6H4z", "M14 4h6v6h-6z", "M4 14h6v6H4z", "M14 14h2v2h-2z", "M18 18h2v2h-2z", "M14 18h2", "M18 14h2"],
} as const;

/** The icons there are. */
export type IconName = keyof typeof PATHS;

/** A decorative 20 px line icon. */
export function icon(name: IconName): SVGSVGElement {
  return svg(
    "svg",
    {
      class: `icon icon-${name}`,
      viewBox: "0 0 24 24",
      width: "20",
      height: "20",
      "aria-hidden": "true",
      focusable: "false",
    },
    ...PATHS[name].map((d) => svg("path", { d })),
  );
}

/** The header every sub-screen shares: a back button and a title. */
export function screenHeader(app: App, title: string, testid: string): HTMLElement {
  const back = el(
    "button",
    { type: "button", class: "icon-button", "aria-label": "Back to accounts", title: "Back", "data-testid": "back" },
    icon("back"),
  );
  back.addEventListener("click", () => app.goAccounts());
  return el("header", { class: "subbar" }, back, el("h1", { tabindex: "-1", "data-testid": testid }, title));
}

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
 * own: an SVG-text ring costs the web process about ten times the memory
 * of one without text (docs/benchmarks.md).
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

/** One item of a {@link popupMenu}: its label, test id, and what it does. */
export interface MenuItem {
  label: string;
  testid: string;
  run(): void;
}

/** Closes any open popup menu (the screen changed, or another opens). */
export function closePopupMenus(): void {
  for (const menu of document.querySelectorAll(".popup-menu")) {
    menu.remove();
  }
}

/**
 * A small menu at (x, y) in the window, kept inside it: the arrow keys
 * move through it, Enter picks, Escape or a click elsewhere closes it, and
 * the focus goes back to `opener` unless an item moved it on.
 */
export function popupMenu(items: MenuItem[], x: number, y: number, opener: HTMLElement | null): HTMLElement {
  closePopupMenus();
  const buttons = items.map((item) => {
    const button = el("button", { type: "button", role: "menuitem", "data-testid": item.testid }, item.label);
    button.addEventListener("click", () => {
      close(false);
      item.run();
    });
    return button;
  });
  const menu = el("div", { class: "popup-menu", role: "menu", "data-testid": "popup-menu" }, ...buttons);
  const away = (event: Event): void => {
    if (!(event.target instanceof Node) || !menu.contains(event.target)) {
      close(false);
    }
  };
  const close = (refocus: boolean): void => {
    document.removeEventListener("pointerdown", away, true);
    window.removeEventListener("blur", onBlur);
    menu.remove();
    if (refocus) {
      opener?.focus();
    }
  };
  const onBlur = (): void => close(false);
  menu.addEventListener("keydown", (event) => {
    const at = buttons.findIndex((b) => b === document.activeElement);
    if (event.key === "Escape") {
      close(true);
    } else if (event.key === "ArrowDown") {
      buttons[(at + 1) % buttons.length]?.focus();
    } else if (event.key === "ArrowUp") {
      buttons[(at - 1 + buttons.length) % buttons.length]?.focus();
    } else if (event.key === "Tab") {
      close(true);
    } else {
      return;
    }
    // The menu's keys are its own: Escape here does not also go back.
    event.preventDefault();
    event.stopPropagation();
  });
  document.addEventListener("pointerdown", away, true);
  window.addEventListener("blur", onBlur);
  document.body.append(menu);
  // CSSOM, not a style attribute: the CSP forbids inline styles.
  const box = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(0, Math.min(x, window.innerWidth - box.width))}px`;
  menu.style.top = `${Math.max(0, Math.min(y, window.innerHeight - box.height))}px`;
  buttons[0]?.focus();
  return menu;
}

/** How long the pointer rests on a control before its tooltip shows. */
const TOOLTIP_DELAY_MS = 600;

/**
 * Tooltips drawn by the page in place of WebKit's native ones, which GTK
 * keeps on screen after the control under the pointer is gone (the screen
 * changed) until the pointer moves. A control's `title` becomes its
 * `data-tip` the first time the pointer comes over it (and its label, if
 * it had no other); the tip shows after a short rest and goes on a click,
 * a key, the pointer leaving, or {@link Tooltips.hide} (screen changes).
 */
export class Tooltips {
  private tip: HTMLElement | null = null;
  private timer: number | undefined;

  constructor(doc: Document = document) {
    doc.addEventListener("mouseover", (event) => this.over(event), true);
    doc.addEventListener("mouseout", (event) => this.out(event), true);
    doc.addEventListener("pointerdown", () => this.hide(), true);
    doc.addEventListener("keydown", () => this.hide(), true);
  }

  /** Hides the tip shown or about to show. */
  hide(): void {
    window.clearTimeout(this.timer);
    this.tip?.remove();
    this.tip = null;
  }

  private over(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>("[title], [data-tip]") : null;
    if (target === null) {
      return;
    }
    adoptTitle(target);
    this.hide();
    this.timer = window.setTimeout(() => this.show(target), TOOLTIP_DELAY_MS);
  }

  private out(event: MouseEvent): void {
    if (event.target instanceof Node && event.relatedTarget instanceof Node && event.target.contains(event.relatedTarget)) {
      return;
    }
    this.hide();
  }

  private show(target: HTMLElement): void {
    const text = target.dataset.tip;
    if (!target.isConnected || !text) {
      return;
    }
    const tip = el("div", { class: "tooltip", role: "tooltip", "data-testid": "tooltip" }, text);
    document.body.append(tip);
    const box = target.getBoundingClientRect();
    const size = tip.getBoundingClientRect();
    const left = Math.max(4, Math.min(box.left + box.width / 2 - size.width / 2, window.innerWidth - size.width - 4));
    const below = box.bottom + 6;
    const top = below + size.height > window.innerHeight ? box.top - size.height - 6 : below;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(4, top)}px`;
    this.tip = tip;
  }
}

/** Moves a native `title` to `data-tip`, keeping it as the label of a control with no other. */
export function adoptTitle(node: HTMLElement): void {
  const title = node.getAttribute("title");
  if (title === null) {
    return;
  }
  node.removeAttribute("title");
  node.dataset.tip = title;
  if (!node.hasAttribute("aria-label") && (node.textContent ?? "").trim() === "") {
    node.setAttribute("aria-label", title);
  }
}
