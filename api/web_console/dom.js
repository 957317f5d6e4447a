// Building the page: h() makes an element from a tag, its properties and children.
// Text is always set as text (never parsed as HTML), so records cannot inject markup.

/** h("button", {onclick, class: "x", "aria-label": ...}, "text", child, ...) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "value") element.value = value;
    else if (name === "checked" || name === "selected" || name === "disabled") element[name] = true;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside ``element`` with ``children``. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

let counter = 0;
/** A fresh id for a label's ``for``. */
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}
