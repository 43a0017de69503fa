// A badge's QR code, opened by the coordinator's phone camera: the person is checked
// in at once, in big letters, and the phone is ready for the next badge. The phone
// knows it may do so because its coordinator opened the site's page on it (the link
// kept there); any other phone is told to ask the coordinator.
import { $, formatTime, h, setChildren } from '../lib/dom.js';
import { errorText, initI18n, lang, t, translate } from '../lib/i18n.js';
import { eventFromPath, startPage } from '../lib/app.js';

const { event, site: invitee } = eventFromPath();  // /e/<event>/checkin/<invitee>
const prefix = `mx.checkin.${event}.`;
const sites = Object.keys(localStorage).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));

function result(kind, title, detail, site) {
  return h('div', { class: `card checkin-result ${kind}`, id: 'checkin-result', role: 'status', dataset: { result: kind } },
    h('p', { class: 'checkin-mark', 'aria-hidden': 'true' }, kind === 'ok' ? '✔' : kind === 'already' ? '↺' : '✖'),
    h('h1', {}, title), detail ? h('p', {}, detail) : null,
    site ? h('p', {}, h('a', { href: `/e/${encodeURIComponent(event)}/site/${encodeURIComponent(site)}` }, t('rooms.back_to_site')))
      : null);
}

async function main() {
  if (!sites.length) {
    await initI18n();
    setChildren($('#main'), result('no', t('rooms.not_this_phone'), t('rooms.not_this_phone_hint')));
    translate(document);
    return;
  }
  const site = sites[0];
  let done = false;
  await startPage({
    event,
    token: localStorage.getItem(prefix + site),
    title: () => `${t('rooms.title')} — Multiplex`,
    render: async (l) => {
      if (done) return;
      done = true;
      const person = l.state.people[invitee];
      if (!person) {
        setChildren($('#main'), result('no', t('rooms.badge_unknown'), t('rooms.badge_unknown_hint'), site));
        return;
      }
      if (person.checked_in) {
        setChildren($('#main'), result('already', person.name,
          t('rooms.already_at', { at: formatTime(person.checked_in, lang()) }), site));
        return;
      }
      try {
        await l.send({ type: 'checkin.person', invitee });
        setChildren($('#main'), result('ok', person.name, t('rooms.checked_in_now', { name: person.name }), site));
      } catch (error) {
        setChildren($('#main'), result('no', person.name, errorText(error), site));
      }
    },
  });
}

main();
