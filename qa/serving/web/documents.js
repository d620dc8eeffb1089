// The list of documents (`documents.py`), run once by Gradio with `element` (the list's box) and
// `trigger`. Remove opens its question in place, focused on No; Yes sends the name to the app;
// No or Escape closes it. Times are shown in the reader's own time zone. A box too narrow for
// the table is marked [data-narrow]: page.css then shows each document as a block.
const NARROW_PX = 620;
new ResizeObserver(([entry]) => {
  element.toggleAttribute('data-narrow', entry.contentRect.width < NARROW_PX);
}).observe(element);

// Close a question: its Remove button comes back (and is returned, to be focused).
const close = (ask) => {
  ask.hidden = true;
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
    ask.querySelector('.qa-remove-no').focus();
  } else if (button.classList.contains('qa-remove-no')) {
    close(ask).focus();
  } else if (button.classList.contains('qa-remove-yes')) {
    // Answered once: the list is drawn anew when the app has removed it (or said why not).
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

const localTimes = () => {
  for (const time of element.querySelectorAll('time[datetime]:not([data-local])')) {
    const when = new Date(time.dateTime);
    if (Number.isNaN(when.getTime())) continue;
    time.dataset.local = '1';
    time.title = time.textContent;  // the UTC time, on hover
    time.textContent = when.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
  }
};
new MutationObserver(localTimes).observe(element, {childList: true, subtree: true, characterData: true});
localTimes();
