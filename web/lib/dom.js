// DOM helpers. Text from users only ever goes in through textContent or text
// nodes: never innerHTML, so a question like <img onerror=…> stays text.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // Through the CSSOM: the Content-Security-Policy refuses style attributes.
    else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function setChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// Replace a container's content; if the keyboard focus was inside, give it to the
// new control with the same id or data-action (redraws must not strand keyboard users).
export function refill(container, ...children) {
  const focused = document.activeElement;
  const inside = focused && focused !== container && container.contains(focused);
  const id = inside && focused.id;
  const action = inside && focused.dataset ? focused.dataset.action : null;
  setChildren(container, ...children);
  if (!inside) return;
  const again = (id && container.querySelector(`#${CSS.escape(id)}`))
    || (action && container.querySelector(`[data-action="${CSS.escape(action)}"]`));
  if (again) again.focus();
}

// Keep a list's elements (and the keyboard focus in them) across updates:
// create an element once per key, update it in place, move it if the order changed.
// A control rebuilt by `update` gets the focus back if it has the same data-action.
export function syncList(container, items, keyOf, create, update) {
  const focused = document.activeElement;
  const focusedItem = focused && container.contains(focused) ? focused.closest('[data-key]') : null;
  const focusedAction = focused && focused.dataset ? focused.dataset.action : undefined;
  const existing = new Map();
  for (const el of container.children) existing.set(el.dataset.key, el);
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let el = existing.get(key);
    if (el) existing.delete(key);
    else { el = create(item); el.dataset.key = key; }
    update(el, item);
    const wanted = previous ? previous.nextSibling : container.firstChild;
    if (el !== wanted) container.insertBefore(el, wanted);
    previous = el;
  }
  for (const el of existing.values()) el.remove();
  if (!focused || focused === document.activeElement) return;
  if (container.contains(focused)) focused.focus();
  else if (focusedItem && focusedAction && container.contains(focusedItem)) {
    const again = focusedItem.querySelector(`[data-action="${focusedAction}"]`);
    if (again) again.focus();
  }
}

// Screen-reader announcements through one polite live region per page.
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

export function formatTime(ms, lang) {
  return new Date(ms).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
}

// A success message says what happened, then goes: it must not still say "sent"
// long after, or after the language changed. Errors stay until the next attempt.
// A phone's width, as the CSS says it (app.css: max-width 699px): tabs and the header's menu.
export const PHONE = '(max-width: 699px)';

export const FLASH_MS = 6000;
export function flash(el, text) {
  el.textContent = text;
  clearTimeout(el.flashTimer);
  const clear = () => { clearTimeout(el.flashTimer); el.textContent = ''; };
  el.flashTimer = setTimeout(clear, FLASH_MS);
  document.addEventListener('langchange', clear, { once: true });  // said in the old language: gone
}

// A tablist's keys (WAI-ARIA): arrows move to the next or previous tab, wrapping; Home
// and End to the first and last. The index to select, or null for any other key.
export function tabKeyTarget(key, index, count) {
  const step = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: count - 1 - index }[key];
  return step === undefined ? null : (index + step + count) % count;
}
