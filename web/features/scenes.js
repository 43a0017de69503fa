// The control room's hand on the big screens: which scene every projector shows.
// A scene with nothing to show (no question highlighted, no poll on screens) cannot be
// chosen: the screens would fall back to the join scene and the régie would be misled.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { act } from '../lib/app.js';

export const SCENES = ['join', 'question', 'poll', 'proposals', 'wall', 'program', 'sites', 'pause'];
let pauseMessage = '';  // what the régie typed, kept across redraws

// `site`: one site's screens only (a coordinator's own); otherwise every site's.
export function sceneControl(live, { site = null } = {}) {
  const current = (live.state.scene && live.state.scene.scene) || 'join';
  const view = (live.state.scene && live.state.scene.view) || 'all';
  const onScreen = live.state.screen && live.state.polls[live.state.screen];
  const empty = { question: !live.state.highlight, poll: !onScreen };
  const message = h('input', { id: 'pause-message', value: pauseMessage, maxlength: 80,
    oninput: (e) => { pauseMessage = e.target.value; } });
  const show = (scene, extra = {}) => act(live, { type: 'screen.scene', scene, ...extra, ...(site ? { site } : {}) });
  return h('div', { class: 'scenes' },
    h('div', { class: 'scene-buttons', role: 'group', 'aria-label': t('moderate.scene_choice') },
      SCENES.map((scene) => h('button', {
        type: 'button', class: 'small', 'aria-pressed': String(current === scene), disabled: Boolean(empty[scene]),
        dataset: { action: `scene-${scene}` },
        onclick: () => show(scene, scene === 'pause' && pauseMessage.trim() ? { message: pauseMessage.trim() }
          : scene === 'poll' ? { view } : {}),
      }, t(`moderate.scene.${scene}`)))),
    empty.question || empty.poll ? h('p', { class: 'hint' }, t('moderate.scene_empty')) : null,
    h('div', { class: 'toggle', role: 'group', 'aria-label': t('moderate.scene_poll_view') },
      ['all', 'sites'].map((v) => h('button', { type: 'button', class: 'small', 'aria-pressed': String(view === v),
        disabled: !onScreen, dataset: { action: `scene-view-${v}` },
        onclick: () => show('poll', { view: v }) }, t(`polls.view_${v}`)))),
    h('div', { class: 'field' }, h('label', { for: 'pause-message' }, t('moderate.pause_message')), message));
}
