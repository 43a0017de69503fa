// The control room's view of the remote audience: how many follow the broadcast (HLS),
// per rendition, how far behind the live moment their picture is (median and 95th
// percentile of what the players report, clamped by the hub), and how many watch WebRTC.
// Fetched every few seconds: players report every 20 s, so faster would show nothing new.
// And the régie's threshold: past that many WebRTC viewers, new remote ones start on HLS.
import { h, refill } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

const EVERY_MS = 5000;

export function audiencePanel(live, event, token) {
  const figures = h('div', { id: 'hls-audience' });
  let last = null;
  const draw = () => refill(figures, last ? audienceText(last) : h('p', { class: 'muted' }, t('audience.unknown')));
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
  const setThreshold = async (viewers) => {
    if (await act(live, { type: 'stage.hls_threshold', viewers })) fetchOnce();
  };
  // Built once: the number being typed is never redrawn under the operator's fingers.
  const input = h('input', { type: 'number', id: 'hls-threshold', min: 0, max: 1000000, step: 1, inputmode: 'numeric',
    required: true, 'aria-describedby': 'hls-threshold-hint' });
  const form = h('form', { class: 'threshold', onsubmit: (e) => { e.preventDefault(); setThreshold(Number(input.value)); } },
    h('label', { for: 'hls-threshold', 'data-i18n': 'audience.threshold_label' }, t('audience.threshold_label')),
    h('p', { class: 'hint', id: 'hls-threshold-hint', 'data-i18n': 'audience.threshold_hint' }, t('audience.threshold_hint')),
    h('div', { class: 'actions' }, input,
      h('button', { type: 'submit', class: 'small', 'data-i18n': 'audience.threshold_apply' }, t('audience.threshold_apply')),
      h('button', { type: 'button', class: 'small', 'data-i18n': 'audience.threshold_reset', onclick: () => setThreshold(null) },
        t('audience.threshold_reset'))));
  return { element: h('div', { class: 'audience' }, figures, form), redraw: draw };  // redraw: after a change of language
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
    [t('audience.threshold'), thresholdText(figures.threshold, count)],
  ];
  return h('dl', { class: 'figures' }, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

function thresholdText(threshold, count) {
  if (!threshold) return '—';
  const value = threshold.viewers > 0 ? t('audience.threshold_value', { n: count.format(threshold.viewers) })
    : t('audience.threshold_none');
  return t(threshold.by === 'regie' ? 'audience.by_regie' : 'audience.by_hub', { value });
}
