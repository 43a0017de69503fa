// The captioner's page (vélotypie): type, Enter, keep typing. A line goes out at once
// without waiting for the hub's answer (the next one is already being typed); a long
// line goes out by itself at a word boundary, so viewers never wait for Enter. What
// viewers see is shown under the field; refused lines stay in the list, marked.
import { $, h, setChildren } from '../lib/dom.js';
import { t, translate } from '../lib/i18n.js';
import { eventFromPath, showError, startPage, staffToken, section } from '../lib/app.js';
import { onAirBadge } from '../features/stage.js';
import { nowNext } from '../features/programme.js';
import { captionBox } from '../features/captions.js';
import { publishPanel } from '../features/media.js';

const { event } = eventFromPath();
const token = staffToken(`mx.token.${event}.caption`);
const SPLIT_AT = 90;  // characters: past this, the line goes out at its last space

let ui = null;

function send(l, text) {
  const clean = text.trim();
  if (!clean) return;
  const item = h('li', { class: 'sent', dataset: { state: 'pending' } }, clean);
  ui.sent.querySelector(':scope > .empty')?.remove();
  ui.sent.prepend(item);
  while (ui.sent.children.length > 30) ui.sent.lastChild.remove();
  l.send({ type: 'caption.line', text: clean }).then(() => { item.dataset.state = 'ok'; }, (error) => {
    item.dataset.state = 'refused';
    item.title = t('captions.refused');
    showError(error);
  });
}

if (token) {
  startPage({
    event,
    token,
    title: () => `${t('captions.title')} — Multiplex`,
    header: () => h('span', { class: 'where' }, t('captions.title')),
    render: (l) => {
      if (!ui) {
        const input = h('textarea', { id: 'caption-input', rows: 2, autocomplete: 'off', spellcheck: 'false',
          'aria-describedby': 'caption-hint', maxlength: l.welcome.event.settings.limits.caption_length });
        input.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(l, input.value); input.value = ''; }
          if (e.key === 'Escape') input.value = '';
        });
        input.addEventListener('input', () => {
          if (input.value.length <= SPLIT_AT) return;
          const cut = input.value.lastIndexOf(' ', SPLIT_AT);
          if (cut <= 0) return;
          send(l, input.value.slice(0, cut));
          input.value = input.value.slice(cut + 1);
        });
        ui = { input, stage: h('div'), preview: captionBox(l, { shown: 2 }),
          sent: h('ol', { class: 'plain sent-lines', id: 'sent-lines' }, h('li', { class: 'empty', 'data-i18n': 'captions.none_sent' })),
          idle: h('p', { class: 'muted', 'data-i18n': 'captions.none_shown' }) };
        setChildren($('#main'), h('div', { class: 'captioner' },
          section('stage-now', 'captions.on_air', ui.stage),
          section('typing', 'captions.type', h('label', { for: 'caption-input', 'data-i18n': 'captions.line' }), input,
            h('p', { class: 'hint', id: 'caption-hint', 'data-i18n': 'captions.hint' }),
            h('h3', { 'data-i18n': 'captions.preview' }), ui.preview.element, ui.idle),
          section('sent', 'captions.sent', ui.sent),
          // the sign-language interpreter publishes from this desk too (shown over the program)
          section('interpreter', 'captions.interpreter', publishPanel(l, token, { site: 'interpreter' }))));
        translate(document);
        input.focus();
      }
      setChildren(ui.stage, onAirBadge(l), nowNext(l));
      ui.preview.update(l);
      ui.idle.hidden = ui.preview.element.querySelector('.captions').dataset.empty !== 'true';
      translate($('#main'));
    },
  });
}
