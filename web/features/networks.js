// The régie's view of the event's social networks, as this hub last found them: whether
// hub.env has the account, and whether sending the live posts and reading the hashtag
// work (docs/social.md). Each post's own state is on the post; this says it per network.
import { formatTime, h, refill } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';

const EVERY_MS = 5000;

export function networksPanel(live, event, token) {
  const panel = h('div', { id: 'social-health', class: 'social-health', role: 'status' });
  let last = null;
  const draw = () => refill(panel, last ? Object.entries(last).map(([n, s]) => networkLine(n, s)) : []);
  const fetchOnce = async () => {
    if (document.visibilityState === 'hidden') return;
    try {
      const response = await fetch(`/api/events/${encodeURIComponent(event)}/social`,
        { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      last = response.ok ? await response.json() : null;
    } catch {
      last = null;  // the hub is away: the live channel says so
    }
    draw();
  };
  if (((live.welcome && live.welcome.event && live.welcome.event.social) || []).length) {
    fetchOnce();
    setInterval(fetchOnce, EVERY_MS);
  }
  document.addEventListener('langchange', draw);
  return panel;
}

function networkLine(network, s) {
  const name = t(`social.network.${network}`);
  if (!s.account) return h('p', { 'data-network': network, 'data-health': 'no_account' }, t('social.health.no_account', { network: name }));
  // the worse of sending and reading says how the network is
  const failing = [s.sending, s.reading].find((x) => x && x.state === 'failing');
  const state = failing ? 'failing' : [s.sending, s.reading].some((x) => x && x.state === 'ok') ? 'ok' : 'idle';
  const text = failing
    ? t('social.health.failing', { network: name, time: formatTime(failing.since, lang()), reason: failing.reason || '' })
    : t(`social.health.${state}`, { network: name });
  return h('p', { 'data-network': network, 'data-health': state }, text);
}
