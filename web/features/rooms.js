// People in the room, counted as people: the coordinator's head count, the check-in
// at the door (by name, by the badge's QR code, or a walk-in added on the spot), and
// the room's show of hands for a poll.
import { flash, formatTime, h, setChildren, syncList } from '../lib/dom.js';
import { lang, t } from '../lib/i18n.js';
import { act } from '../lib/app.js';
import { choiceLabels } from './polls.js';

const number = (n) => new Intl.NumberFormat(lang() === 'en' ? 'en-GB' : 'fr-FR').format(n);

export function categoryLabel(live, id) {
  const cat = (live.welcome.event.categories || []).find((c) => c.id === id);
  if (!cat) return id ? t(`category.${id}`) : '';
  return lang() === 'en' && cat.en ? cat.en : cat.fr;
}

export function roomFigures(live, site) {
  const room = (live.state.rooms || {})[site] || {};
  return h('dl', { class: 'kpis room-figures', id: `room-${site}` },
    h('div', {}, h('dt', {}, t('rooms.headcount')), h('dd', { dataset: { figure: 'headcount' } },
      room.headcount === null || room.headcount === undefined ? '—' : number(room.headcount))),
    h('div', {}, h('dt', {}, t('rooms.checked_in')), h('dd', { dataset: { figure: 'checked-in' } },
      room.expected ? `${number(room.checked_in)} / ${number(room.expected)}` : number(room.checked_in || 0))),
    room.capacity ? h('div', {}, h('dt', {}, t('rooms.capacity')), h('dd', {}, number(room.capacity))) : null);
}

// The head count: typed, corrected during the day; each one kept with its time.
export function headcountForm(live, site) {
  const input = h('input', { id: 'headcount', type: 'number', min: 0, inputmode: 'numeric', required: true });
  const status = h('p', { class: 'form-status', role: 'status' });
  const form = h('form', { class: 'inline-form', id: 'headcount-form', novalidate: true },
    h('label', { for: 'headcount', 'data-i18n': 'rooms.count_now' }), input,
    h('button', { type: 'submit', class: 'small ok', 'data-i18n': 'rooms.record_count' }), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const count = Number(input.value);
    if (input.value === '' || !Number.isInteger(count) || count < 0) {
      status.textContent = t('rooms.count_invalid');
      input.focus();
      return;
    }
    const ack = await act(live, { type: 'room.headcount', count, site });
    if (ack) { input.value = ''; flash(status, t('rooms.count_recorded', { n: number(count), at: formatTime(Date.now(), lang()) })); }
  });
  return form;
}

// What a badge's QR code says (hub/http/invitees.py): its check-in link, or the bare code.
export function invitedFrom(text) {
  const found = String(text).match(/\/checkin\/([A-Za-z0-9-]{1,64})\s*$/) || String(text).trim().match(/^([iw]\d+(?:-\d+)?)$/);
  return found ? found[1] : null;
}

// The door: search by name, a badge scanned (a handheld scanner types its link and
// Enter; a phone's camera opens the link itself: web/pages/checkin.js), walk-ins.
export function checkinPanel(live, site) {
  let query = '';
  const search = h('input', { id: 'checkin-search', type: 'search', autocomplete: 'off',
    oninput: (e) => { query = e.target.value; draw(); } });
  const list = h('ul', { class: 'plain people', id: 'checkin-list', 'aria-live': 'polite' });
  const status = h('p', { class: 'form-status', role: 'status' });
  const code = h('input', { id: 'checkin-code', autocomplete: 'off', spellcheck: 'false' });
  const codeForm = h('form', { class: 'inline-form', id: 'checkin-code-form' },
    h('label', { for: 'checkin-code', 'data-i18n': 'rooms.badge_code' }), code,
    h('button', { type: 'submit', class: 'small', 'data-i18n': 'rooms.check_in' }));
  codeForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = invitedFrom(code.value);
    if (!id) { status.textContent = t('rooms.badge_unknown'); return; }
    if (await checkIn(id)) code.value = '';
    code.focus();  // the next badge
  });
  const walkName = h('input', { id: 'walkin-name', autocomplete: 'off', maxlength: 80, required: true });
  const walkCat = h('select', { id: 'walkin-category' }, h('option', { value: '', 'data-i18n': 'category.none' }),
    (live.welcome.event.categories || []).map((c) => h('option', { value: c.id }, categoryLabel(live, c.id))));
  const walkForm = h('form', { class: 'walkin', id: 'walkin-form' },
    h('div', { class: 'field' }, h('label', { for: 'walkin-name', 'data-i18n': 'rooms.walkin_name' }), walkName),
    h('div', { class: 'field' }, h('label', { for: 'walkin-category', 'data-i18n': 'category.label' }), walkCat),
    h('button', { type: 'submit', class: 'small ok', 'data-i18n': 'rooms.walkin_add' }));
  walkForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!walkName.value.trim()) { walkName.focus(); return; }
    const ack = await act(live, { type: 'checkin.walkin', name: walkName.value.trim(), category: walkCat.value || null, site });
    if (ack) { flash(status, t('rooms.walkin_added', { name: walkName.value.trim() })); walkName.value = ''; }
  });

  async function checkIn(id) {
    const person = live.state.people[id];
    const ack = await act(live, { type: 'checkin.person', invitee: id });
    if (ack) flash(status, t('rooms.checked_in_now', { name: person ? person.name : id }));
    return Boolean(ack);
  }

  function draw() {
    const wanted = query.trim().toLocaleLowerCase();
    const people = Object.values(live.state.people || {}).filter((p) => p.site === site)
      .filter((p) => !wanted || p.name.toLocaleLowerCase().includes(wanted))
      .sort((a, b) => a.name.localeCompare(b.name, lang())).slice(0, wanted ? 30 : 12);
    syncList(list, people, (p) => p.id, () => {
      const el = h('li', { class: 'person' });
      el.parts = { name: h('span', { class: 'person-name' }), meta: h('span', { class: 'q-meta' }), action: h('span') };
      el.append(el.parts.name, ' ', el.parts.meta, ' ', el.parts.action);
      return el;
    }, (el, p) => {
      el.dataset.state = p.checked_in ? 'in' : 'expected';
      el.parts.name.textContent = p.name;
      el.parts.meta.textContent = [p.category ? categoryLabel(live, p.category) : null,
        p.walk_in ? t('rooms.walk_in') : null,
        p.checked_in ? t('rooms.arrived_at', { at: formatTime(p.checked_in, lang()) }) : null].filter(Boolean).join(' · ');
      const signature = `${Boolean(p.checked_in)}|${lang()}`;
      if (el.parts.action.dataset.signature !== signature) {
        el.parts.action.dataset.signature = signature;
        setChildren(el.parts.action, p.checked_in
          ? (p.walk_in ? null : h('button', { type: 'button', class: 'small', dataset: { action: `undo-${p.id}` },
            onclick: () => act(live, { type: 'checkin.undo', invitee: p.id }) }, t('rooms.undo')))
          : h('button', { type: 'button', class: 'small ok', dataset: { action: `checkin-${p.id}` },
            onclick: () => checkIn(p.id) }, t('rooms.check_in')));
      }
    });
    if (!people.length) list.replaceChildren(h('li', { class: 'empty' }, t(wanted ? 'rooms.nobody_found' : 'rooms.nobody')));
  }
  const element = h('div', { class: 'checkin' },
    h('div', { class: 'field' }, h('label', { for: 'checkin-search', 'data-i18n': 'rooms.search' }), search),
    list, codeForm, h('p', { class: 'hint', 'data-i18n': 'rooms.badge_hint' }), status,
    h('h3', { 'data-i18n': 'rooms.walkin' }), walkForm);
  draw();
  return { element, update: draw };
}

// The room's show of hands, per answer, for the people without a phone: kept apart
// from the ballots and said so wherever it is shown.
export function handsForm(live, poll, site) {
  if (!['single', 'multiple', 'rating'].includes(poll.kind) || poll.state === 'draft') return null;
  const tally = live.state.tallies[poll.id] || {};
  const before = (tally.hands_by_site || {})[site] || [];
  const labels = choiceLabels(poll);
  const inputs = labels.map((label, i) => h('input', { type: 'number', min: 0, inputmode: 'numeric',
    id: `hands-${poll.id}-${i}`, value: before[i] ?? '' }));
  const status = h('p', { class: 'form-status', role: 'status' });
  const form = h('form', { class: 'hands', dataset: { poll: poll.id } },
    h('fieldset', {}, h('legend', {}, t('rooms.hands_title')),
      labels.map((label, i) => h('div', { class: 'field inline' }, h('label', { for: inputs[i].id }, label), inputs[i]))),
    h('button', { type: 'submit', class: 'small ok' }, t('rooms.hands_record')), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const counts = inputs.map((i) => Number(i.value || 0));
    if (counts.some((n) => !Number.isInteger(n) || n < 0)) { status.textContent = t('rooms.count_invalid'); return; }
    if (await act(live, { type: 'poll.hands', poll: poll.id, counts, site })) flash(status, t('rooms.hands_recorded'));
  });
  return form;
}
