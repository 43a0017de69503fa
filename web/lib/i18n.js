// Catalogs live in /static/i18n/<lang>.json; French by default, the choice is remembered.
export const LANGS = ['fr', 'en'];
const STORE = 'mx.lang';
let catalog = {};
let current = 'fr';

export function lang() { return current; }

export async function initI18n() {
  const saved = localStorage.getItem(STORE);
  await setLang(LANGS.includes(saved) ? saved : 'fr', false);
}

export async function setLang(next, remember = true) {
  const response = await fetch(`/static/i18n/${next}.json`);
  catalog = await response.json();
  current = next;
  if (remember) localStorage.setItem(STORE, next);
  document.documentElement.lang = next;
  translate(document);
  document.dispatchEvent(new CustomEvent('langchange'));
}

export function has(key) {
  return typeof lookup(key) === 'string';
}

function lookup(key) {
  return key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), catalog);
}

export function t(key, params = {}) {
  const text = lookup(key);
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? ''));
}

// Static markup carries data-i18n="key" (text) and data-i18n-attr="attr:key;attr:key".
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

// An error from the hub, in plain words in the user's language.
export function errorText(error) {
  const code = error && error.code ? error.code : 'internal';
  if (has(`errors.${code}`)) return t(`errors.${code}`, error.data || {});
  const family = code.split('.').pop();
  if (has(`errors.any.${family}`)) return t(`errors.any.${family}`, error.data || {});
  return t('errors.generic');
}
