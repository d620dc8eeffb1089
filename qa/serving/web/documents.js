// The list of documents (`documents.py`), run once by Gradio with `element` (the list's box) and
// `trigger`, after `local-times.js`. Remove opens its question in place, focused on No; Yes sends
// the name to the app; No or Escape closes it. The app may draw the list anew while a question is
// open (an upload ending, a change made in another tab: its indexing tick): the question stays
// open, and keeps the focus it had. Times are shown in the reader's own time zone. A box too narrow
// for the table is marked [data-narrow]: page.css then shows each document as a block.
const NARROW_PX = 620;
new ResizeObserver(([entry]) => {
  element.toggleAttribute('data-narrow', entry.contentRect.width < NARROW_PX);
}).observe(element);

// The name whose question is open, or null.
let asking = null;

// Close a question: its Remove button comes back (and is returned, to be focused).
const close = (ask) => {
  ask.hidden = true;
  asking = null;
  const remove = ask.parentElement.querySelector('.qa-remove');
  remove.hidden = false;
  return remove;
};

element.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const cell = button && button.closest('td.qa-doc-remove');
  if (!cell || !element.contains(cell)) return;
  const ask = cell.querySelector('.qa-remove-ask');
  if (button.classList.contains('qa-remove')) {
    element.querySelectorAll('.qa-remove-ask:not([hidden])').forEach(close);  // one question at a time
    button.hidden = true;
    ask.hidden = false;
    asking = button.dataset.name;
    ask.querySelector('.qa-remove-no').focus();
  } else if (button.classList.contains('qa-remove-no')) {
    close(ask).focus();
  } else if (button.classList.contains('qa-remove-yes')) {
    // Answered once: the list is drawn anew when the app has removed it (or said why not).
    asking = null;
    cell.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    cell.querySelector('.qa-remove-question').textContent = 'Removing…';
    cell.setAttribute('aria-busy', 'true');
    trigger('click', {remove: button.dataset.name});
  }
});

element.addEventListener('keydown', (event) => {
  const ask = event.key === 'Escape' && event.target.closest && event.target.closest('.qa-remove-ask');
  if (ask && !ask.hidden) close(ask).focus();
});

// Drawn anew with a question open: open it again in the new list (if its document is still there),
// and give No the focus back if the redraw took it away (it was on a button that is gone).
whenRedrawn(() => {
  if (asking === null) return;
  const remove = [...element.querySelectorAll('button.qa-remove')].find((b) => b.dataset.name === asking);
  if (!remove) {
    asking = null;  // its document is gone: nothing left to ask
    return;
  }
  const ask = remove.parentElement.querySelector('.qa-remove-ask');
  if (!ask.hidden) return;
  remove.hidden = true;
  ask.hidden = false;
  if (!document.activeElement || document.activeElement === document.body) ask.querySelector('.qa-remove-no').focus();
});
