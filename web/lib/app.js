// What every page shares: language, the connection indicator, error messages,
// screen-reader announcements, and a render that runs once per burst of updates.
import { announce, h, setChildren } from './dom.js';
import { LANGS, errorText, initI18n, lang, setLang, t } from './i18n.js';
import { KEYS, Live } from './live.js';
import { drawFailure } from './failure.js';
import { topBar } from './header.js';

// Page sections that redraw only when one of their keys changed (the hub's change
// keys, and 'me' for what is mine): nothing the user is touching is rebuilt under
// their finger by an update that is not about it. `run(null)` redraws everything
// (a snapshot, a language change, the page's own state).
export function sections() {
  const known = new Set([...KEYS, 'me']);
  const all = [];
  return {
    watch(keys, draw) {
      for (const key of keys) if (!known.has(key)) throw new Error(`no change key ${key}`);
      all.push({ keys: new Set(keys), draw });
    },
    run(changed) {
      for (const section of all) {
        if (!changed || [...section.keys].some((k) => changed.has(k))) section.draw(changed);
      }
    },
  };
}

export function eventFromPath() {
  const parts = location.pathname.split('/').filter(Boolean); // e / <event> / [role] / [site]
  return { event: decodeURIComponent(parts[1] || ''), section: parts[2] || null, site: parts[3] || null };
}

// Staff links carry their token in the fragment (never sent to servers or logs);
// keep it for this tab and take it out of the address bar. Without one, say so.
export function staffToken(storageKey) {
  const match = location.hash.match(/token=([A-Za-z0-9_\-.]+)/);
  if (match) {
    sessionStorage.setItem(storageKey, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem(storageKey);
  if (!token) startStaticPage(() => drawFailure('link.incomplete'));
  return token;
}

export function siteName(live, id) {
  if (!id || id === 'remote') return t('common.remote');
  const site = live.welcome && live.welcome.event.sites.find((s) => s.id === id);
  return site ? site.name : id;
}

export function siteCity(live, id) {
  if (!id || id === 'remote') return t('common.remote');
  const site = live.welcome && live.welcome.event.sites.find((s) => s.id === id);
  return site ? site.city : id;
}

// A page section with its heading (the heading labels it for assistive technologies).
export function section(id, key, ...children) {
  return h('section', { id, 'aria-labelledby': `h-${id}` }, h('h2', { id: `h-${id}`, 'data-i18n': key }), ...children);
}

export function showError(error) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const text = errorText(error);
  // One toast per error: the same refusal twice (a double click, a burst) is said once.
  if ([...box.children].some((el) => el.textContent === text)) return;
  const toast = h('p', { class: 'toast', role: 'alert' }, text);
  box.append(toast);
  setTimeout(() => toast.remove(), 6000);
}

// Run a command, showing a refusal in plain words; resolves to the ack or null.
export async function act(live, cmd) {
  try {
    return await live.send(cmd);
  } catch (error) {
    showError(error);
    return null;
  }
}

export function langSwitch() {
  const select = h('select', { id: 'lang', 'aria-label': t('common.language') },
    LANGS.map((code) => h('option', { value: code, selected: code === lang() }, code === 'fr' ? 'Français' : 'English')));
  select.addEventListener('change', () => setLang(select.value));
  return select;
}

function connectionIndicator(live) {
  const words = h('span', { class: 'connection-text' });
  const pill = h('span', { id: 'connection', class: 'connection', role: 'status', 'data-status': live.status }, words);
  const paint = () => {
    pill.dataset.status = live.status;
    words.textContent = t(`connection.${live.status}`);
  };
  live.addEventListener('status', (event) => {
    paint();
    if (event.detail.status === 'offline') announce(t('connection.offline'));
    if (event.detail.status === 'online' && event.detail.was === 'offline') {
      words.textContent = t('connection.back');
      announce(t('connection.back'));
    }
  });
  document.addEventListener('langchange', paint);
  paint();
  return pill;
}

// Lost: a banner at the top says so and counts down to the next attempt, with a
// button to try at once; it goes when the connection is back.
function offlineBanner(live) {
  const text = h('p');  // not a live region: the countdown would be read out every second (connectionIndicator announces the loss)
  const retry = h('button', { type: 'button', class: 'small', onclick: () => live.retryNow() });
  const banner = h('div', { class: 'offline-banner', id: 'offline-banner', hidden: true }, text, retry);
  let ticker = null;
  const paint = () => {
    const lost = live.status === 'offline';
    banner.hidden = !lost;
    retry.textContent = t('connection.retry_now');
    if (!lost) { clearInterval(ticker); ticker = null; return; }
    if (document.body.classList.contains('page-screen')) {
      // A projector is watched by a room, not by whoever can fix it: a discreet mark in a
      // corner, and the last scene stays as it was (its state is kept until the hub is back).
      text.textContent = t('connection.screen_lost');
      return;
    }
    const left = live.nextAttemptAt ? Math.max(1, Math.ceil((live.nextAttemptAt - Date.now()) / 1000)) : 0;
    text.textContent = live.nextAttemptAt && live.nextAttemptAt > Date.now() ? t('connection.retry_in', { n: left })
      : t('connection.retrying');
    if (!ticker) ticker = setInterval(paint, 1000);
  };
  live.addEventListener('status', paint);
  live.addEventListener('retry', paint);
  document.addEventListener('langchange', paint);
  return banner;
}

// `onRefused`: what a page does itself when the hub refuses it (the viewer: a wrong site
// code brings the site picker back); otherwise a refused link gets its failure page.
export async function startPage({ event, join = null, token = null, category = null, follow = null, title, render,
  header = () => [], onRefused = null }) {
  await initI18n();
  const live = new Live(event, { join, token, category, follow });
  window.__mx = live; // for the browser tests and for curious people
  const titleText = h('span', { class: 'event-title' }, t('common.loading'));
  const extra = h('div', { class: 'top-extra' });
  const select = langSwitch();
  topBar({ title: titleText, status: connectionIndicator(live), tools: [extra, select] });
  const drawHeader = () => {
    titleText.textContent = live.welcome ? live.welcome.event.title : t('common.loading');
    select.setAttribute('aria-label', t('common.language'));
    setChildren(extra, header(live));
  };
  document.body.prepend(offlineBanner(live));
  document.title = title(live);
  // What changed since the last draw: a set of change keys, or null for everything.
  let changed = new Set();
  let refusal = null;  // why the hub refused this link (auth.expired, auth.invalid), said before it closes
  let failed = null;   // the failure this page shows instead of itself
  let scheduled = false;
  const rerender = (event) => {
    const keys = event && event.detail ? event.detail.changes : null;
    if (!keys || !keys.length || changed === null) changed = null;
    else for (const [kind] of keys) changed.add(kind);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const now = changed;
      changed = new Set();
      if (!live.state || failed) return;
      if (!now) drawHeader();
      document.title = title(live);
      render(live, now);
    });
  };
  live.addEventListener('change', rerender);
  // A refused link: the hub says why and then closes; the page says it once, as a page
  // of its own, not as a toast and then again.
  live.addEventListener('hub-error', (e) => {
    if (e.detail.code && /^(auth|site)\./.test(e.detail.code)) refusal = e.detail.code; else showError(e.detail);
  });
  live.addEventListener('fatal', (e) => {
    if (e.detail.code === 4401 && onRefused) { onRefused(refusal); return; }
    failed = e.detail.code === 4401 ? (refusal === 'auth.expired' ? 'auth.expired' : 'auth.invalid')
      : e.detail.code === 4404 ? 'event.unknown' : 'generic';
    drawFailure(failed);
    if (!live.welcome) titleText.textContent = 'Multiplex';  // not « Chargement… » forever
  });
  document.addEventListener('langchange', () => { if (failed) drawFailure(failed); else rerender(null); });
  live.connect();
  return live;
}

// A page without a live connection (the report, the replays): the header with the
// language switch, and `draw` again whenever the language changes.
export async function startStaticPage(draw) {
  await initI18n();
  const select = langSwitch();
  topBar({ title: h('span', { class: 'event-title' }, 'Multiplex'), tools: [select] });
  document.addEventListener('langchange', () => { select.setAttribute('aria-label', t('common.language')); draw(); });
  await draw();
}
