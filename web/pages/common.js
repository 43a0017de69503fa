// Announcements shared by pages: a newly highlighted question, a newly opened poll.
import { announce } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export function watchAnnouncements() {
  let highlighted;
  let openPolls = null;
  return (live) => {
    const hl = live.state.highlight ? live.state.highlight.id : null;
    if (highlighted !== undefined && hl && hl !== highlighted) {
      announce(t('announce.highlight', { text: live.state.highlight.text }));
    }
    highlighted = hl;
    const open = new Set(Object.values(live.state.polls).filter((p) => p.state === 'open').map((p) => p.id));
    if (openPolls) {
      for (const id of open) if (!openPolls.has(id)) announce(t('announce.poll_open', { question: live.state.polls[id].question }));
    }
    openPolls = open;
  };
}
