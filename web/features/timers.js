// The speaker's timer on a site's screens: a countdown for a talk, or pecha kucha
// (20 slides × 20 s) with the slide number. The hub keeps when it started and how
// long it ran; every page counts what is left by the hub's clock (live.hubNow()).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

export function remaining(timer, now) {
  const ran = timer.ran_ms + (timer.started_at !== null ? now - timer.started_at : 0);
  return Math.max(timer.duration_ms - ran, 0);
}

export function slideOf(timer, now) {
  if (timer.mode !== 'pecha_kucha' || !timer.per_slide_ms) return null;
  const ran = timer.duration_ms - remaining(timer, now);
  return Math.min(Math.floor(ran / timer.per_slide_ms) + 1, timer.slides);
}

const clock = (ms) => {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

// The display: drawn again four times a second while a timer runs.
export function timerDisplay(live, site, { big = false } = {}) {
  const time = h('span', { class: 'timer-time' });
  const detail = h('span', { class: 'timer-detail' });
  const element = h('div', { class: `timer${big ? ' timer-big' : ''}`, id: `timer-${site}`, hidden: true,
    role: 'timer', 'aria-live': 'off' }, time, detail);
  let ticker = null;
  const paint = () => {
    const timer = (live.state && live.state.timers || {})[site];
    element.hidden = !timer;
    if (!timer) { clearInterval(ticker); ticker = null; return; }
    const now = live.hubNow();
    const left = remaining(timer, now);
    const slide = slideOf(timer, now);
    // pecha kucha: the speaker watches the slide's seconds; the whole talk's time goes small
    const slideLeft = slide ? Math.max(left - (timer.slides - slide) * timer.per_slide_ms, 0) : null;
    time.textContent = clock(slide ? slideLeft : left);
    detail.textContent = [slide ? t('timers.slide', { n: slide, of: timer.slides }) : null, slide ? clock(left) : null,
      timer.started_at === null ? t('timers.paused') : left === 0 ? t('timers.over') : null].filter(Boolean).join(' · ');
    element.dataset.state = timer.started_at === null ? 'paused' : left === 0 ? 'over' : left < 60_000 ? 'ending' : 'running';
    if (timer.started_at !== null && left > 0 && !ticker) ticker = setInterval(paint, 250);
    if ((timer.started_at === null || left === 0) && ticker) { clearInterval(ticker); ticker = null; }
  };
  return { element, update: paint };
}

// The coordinator's controls: start a countdown or pecha kucha, pause, resume, stop.
// Built once (what is typed in the minutes stays); only the running timer's buttons change.
export function timerControl(live, site) {
  const minutes = h('input', { id: 'timer-minutes', type: 'number', min: 1, max: 600, value: 10, inputmode: 'numeric' });
  const send = (cmd) => act(live, { ...cmd, site });
  const b = (key, cmd, tone = '') => h('button', { type: 'button', class: `small ${tone}`, dataset: { action: `timer-${key}` },
    onclick: () => send(cmd) }, t(`timers.${key}`));
  const label = h('label', { for: 'timer-minutes' });
  const countdown = h('button', { type: 'button', class: 'small ok', dataset: { action: 'timer-countdown' },
    onclick: () => send({ type: 'timer.start', mode: 'countdown', seconds: Math.max(1, Math.round(Number(minutes.value) * 60)) }) });
  const pecha = h('button', { type: 'button', class: 'small', dataset: { action: 'timer-pecha_kucha' },
    onclick: () => send({ type: 'timer.start', mode: 'pecha_kucha', slides: 20, per_slide: 20 }) });
  const running = h('div', { class: 'actions' });
  const element = h('div', { class: 'timer-control' }, h('div', { class: 'inline-form' }, label, minutes, countdown, pecha), running);
  let signature = null;
  const update = (l) => {
    label.textContent = t('timers.minutes');
    countdown.textContent = t('timers.countdown');
    pecha.textContent = t('timers.pecha_kucha');
    const timer = (l.state.timers || {})[site];
    const now = timer ? `${timer.started_at === null}|${document.documentElement.lang}` : 'none';
    if (now === signature) return;
    signature = now;
    running.replaceChildren(...(timer ? [timer.started_at === null ? b('resume', { type: 'timer.resume' }, 'ok')
      : b('pause', { type: 'timer.pause' }), b('stop', { type: 'timer.stop' }, 'no')] : []));
  };
  return { element, update };
}
