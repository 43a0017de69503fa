// The control room's view of the remote audience: how many follow the broadcast (HLS),
// per rendition, how far behind the live moment their picture is (median and 95th
// percentile of what the players report, clamped by the hub), and how many watch WebRTC.
// Fetched every few seconds: players report every 20 s, so faster would show nothing new.
import { h, refill } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

const EVERY_MS = 5000;

export function audiencePanel(event, token) {
  const box = h('div', { class: 'audience', id: 'hls-audience' });
  let last = null;
  const draw = () => refill(box, last ? audienceText(last) : h('p', { class: 'muted' }, t('audience.unknown')));
  const fetchOnce = async () => {
    if (document.visibilityState === 'hidden') return;
    try {
      const response = await fetch(`/api/events/${encodeURIComponent(event)}/hls/audience`,
        { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      last = response.ok ? await response.json() : null;
    } catch {
      last = null;  // the hub is away: the live channel says so; here, nothing to show
    }
    draw();
  };
  fetchOnce();
  setInterval(fetchOnce, EVERY_MS);
  return { element: box, redraw: draw };  // redraw: after a change of language
}

function audienceText(figures) {
  const lang = document.documentElement.lang === 'en' ? 'en-GB' : 'fr-FR';
  const count = new Intl.NumberFormat(lang);
  const seconds = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const perRendition = Object.entries(figures.viewers || {}).sort(([a], [b]) => a.localeCompare(b));
  const hls = perRendition.reduce((sum, [, n]) => sum + n, 0);
  const delay = figures.delay || {};
  const rows = [
    [t('audience.hls'), count.format(hls) + (perRendition.length
      ? ` (${perRendition.map(([name, n]) => `${name === 'audio' ? t('audience.audio') : name} ${count.format(n)}`).join(', ')})` : '')],
    [t('audience.delay'), delay.median_ms == null ? '—'
      : t('audience.delay_figures', { median: seconds.format(delay.median_ms / 1000), p95: seconds.format(delay.p95_ms / 1000) })],
    [t('audience.webrtc'), count.format(figures.webrtc_viewers || 0)],
  ];
  return h('dl', { class: 'figures' }, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}
