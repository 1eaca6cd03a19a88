// Small helpers for building DOM nodes without innerHTML, so text from the
// vault (issuer and account names) can never be interpreted as markup.

type Attrs = Record<string, string>;

/** Creates an element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** Creates an SVG element (icons, the countdown ring) with attributes. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Node[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

let nextId = 0;

/** A document-unique id for labelling (aria-labelledby, label for=). */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** Text only screen readers hear. */
export function srOnly(text: string): HTMLSpanElement {
  return el("span", { class: "sr-only" }, text);
}
