// Live captions of the program: the latest lines under the video and on the big
// screens, and the transcript of the last minutes (a viewer back from a lost
// connection finds what was said meanwhile). Lines are text, never HTML.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

const FRESH_MS = 15000;  // a line older than this leaves the screen (the transcript keeps it)

const linesOf = (live) => (live.state && live.state.captions) || [];

// `transcript`: also the list of the latest lines, folded (the viewer's page).
export function captionBox(live, { shown = 2, transcript = false } = {}) {
  const current = h('div', { class: 'captions', dataset: { empty: 'true' } });
  const list = h('ol', { class: 'transcript-lines' });
  const summary = h('summary');
  const details = transcript ? h('details', { class: 'transcript' }, summary, list) : null;
  let fade = null;
  const element = h('div', { class: 'caption-area' }, current, details);

  function update(l) {
    const lines = linesOf(l);
    const last = lines[lines.length - 1];
    const fresh = last && Date.now() - last.at < FRESH_MS;
    const recent = fresh ? lines.slice(-shown) : [];
    const keys = recent.map((x) => x.id).join();
    if (current.dataset.keys !== keys) {
      current.dataset.keys = keys;
      current.replaceChildren(...recent.map((x) => h('p', { class: 'caption-line', dataset: { id: x.id, source: x.source } },
        x.text)));
    }
    current.dataset.empty = String(!recent.length);
    clearTimeout(fade);
    if (fresh) fade = setTimeout(() => update(l), FRESH_MS - (Date.now() - last.at) + 50);
    if (details) {
      details.hidden = !lines.length;
      summary.textContent = t('captions.transcript', { n: lines.length });
      if (list.dataset.last !== (last ? last.id : '')) {
        list.dataset.last = last ? last.id : '';
        list.replaceChildren(...lines.map((x) => h('li', { dataset: { id: x.id } }, x.text)));
      }
    }
  }
  return { element, update };
}
