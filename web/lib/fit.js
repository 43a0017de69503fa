// A projector scene never scrolls. First the scene's text shrinks a little (down to
// MIN_FIT of its size, which the stylesheet keeps at or above 2.5 % of the screen's
// height); if that is not enough, the least important items go: the oldest posts, the
// last answers and ranks, the rarest words, the smallest sites' charts.
const MIN_FIT = 0.74;
const STEP = 0.04;
const DROPPABLE = ['.wall > li', '.answers > li', '.ranked > li', '.cloud-words > li', '.per-site > figure',
  '.regions tbody > tr'];

const overflowing = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;

export function fitScene(el) {
  let fit = 1;
  el.style.setProperty('--fit', String(fit));
  while (overflowing(el) && fit - STEP >= MIN_FIT - 1e-9) {
    fit -= STEP;
    el.style.setProperty('--fit', fit.toFixed(2));
  }
  while (overflowing(el)) {
    const items = DROPPABLE.flatMap((selector) => [...el.querySelectorAll(selector)]);
    // one list keeps at least its first item; drop from the longest list's end
    const lists = new Map();
    for (const item of items) lists.set(item.parentElement, [...(lists.get(item.parentElement) || []), item]);
    const longest = [...lists.values()].filter((list) => list.length > 1).sort((a, b) => b.length - a.length)[0];
    if (!longest) break;
    longest[longest.length - 1].remove();
  }
  el.dataset.fit = el.style.getPropertyValue('--fit');
}
