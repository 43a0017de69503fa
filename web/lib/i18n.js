// Catalogs live in /static/i18n/<lang>.json; French by default, the choice is remembered.
export const LANGS = ['fr', 'en'];
const STORE = 'mx.lang';
let catalog = {};
let current = 'fr';

export function lang() { return current; }

export async function initI18n() {
  // ?lang=en in a link (a projector's kiosk has no one to pick a language) wins
  const asked = new URLSearchParams(location.search).get('lang');
  const saved = LANGS.includes(asked) ? asked : localStorage.getItem(STORE);
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

const PLURAL = ['zero', 'one', 'two', 'few', 'many', 'other'];
const isPlural = (node) => node !== null && typeof node === 'object' && typeof node.other === 'string'
  && Object.keys(node).every((k) => PLURAL.includes(k));

export function has(key) {
  const node = lookup(key);
  return typeof node === 'string' || isPlural(node);
}

const locale = () => (current === 'en' ? 'en-GB' : 'fr-FR');

function lookup(key) {
  return key.split('.').reduce((node, part) => (node == null ? undefined : node[part]), catalog);
}

// Plurals through Intl.PluralRules ({one, other} in the catalogs), numbers through
// Intl.NumberFormat, both in the page's language.
export function t(key, params = {}) {
  const node = lookup(key);
  let text = node;
  if (isPlural(node)) {
    const n = typeof params.n === 'number' ? params.n : 2;
    text = node[new Intl.PluralRules(locale()).select(n)] ?? node.other;
  }
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => {
    const value = params[name];
    if (typeof value === 'number') return new Intl.NumberFormat(locale()).format(value);
    return value ?? '';
  });
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
  const data = { ...(error.data || {}) };
  // A wait is said in whole seconds: "12.5 s" reads as a bug.
  if (typeof data.retry_after === 'number') data.retry_after = Math.max(1, Math.ceil(data.retry_after));
  if (has(`errors.${code}`)) return t(`errors.${code}`, data);
  const family = code.split('.').pop();
  if (has(`errors.any.${family}`)) return t(`errors.any.${family}`, data);
  return t('errors.generic');
}
