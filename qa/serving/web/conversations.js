// The past conversations (`conversations.py`), run once by Gradio with `element` (the list's box)
// and `trigger`. A title opens its conversation; Rename edits the title in place (Enter saves,
// Escape cancels); Delete and "Forget them all" ask first, focused on No (Escape is No). What is
// chosen goes to the app: {open: id}, {rename: id, title}, {delete: id} or {forget: 1}.
// Open, Delete and Forget, which may replace the conversation on screen, come as a "submit" (the app
// then cancels a reply being written); Rename as a "click". Dates are in the reader's time zone.
const PHONE_PX = 768;

// The part of the list a question or a rename belongs to: one conversation, or "Forget them all".
const partOf = (node) => node.closest('.qa-past-item, .qa-past-forget');
const idOf = (part) => part.dataset.id ?? 'forget';

// What is open when the app draws the list anew (as it does after every reply): a question or a
// rename, {id, box: 'ask' | 'rename', value: the title typed so far}; it is opened again in the
// new list. Null when nothing is open.
let opened = null;

// Close what is open in a part (a question, a rename) and show its buttons again.
const reset = (part) => {
  if (opened !== null && opened.id === idOf(part)) opened = null;
  part.querySelectorAll('.qa-ask, .qa-rename-form').forEach((box) => { box.hidden = true; });
  part.querySelectorAll('.qa-past-open, .qa-past-tools, .qa-forget').forEach((box) => { box.hidden = false; });
};
const resetAll = () => element.querySelectorAll('.qa-past-item, .qa-past-forget').forEach(reset);

// Show one box of a part (its question or its rename form) in place of its buttons.
const open = (part, box) => {
  resetAll();
  part.querySelectorAll('.qa-past-open, .qa-past-tools, .qa-forget').forEach((b) => { b.hidden = true; });
  box.hidden = false;
  opened = {id: idOf(part), box: box.classList.contains('qa-ask') ? 'ask' : 'rename', value: null};
};

const busy = (part, words) => {
  opened = null;  // answered: the list the app sends next shows what became of it
  part.querySelectorAll('button, input').forEach((b) => { b.disabled = true; });
  part.setAttribute('aria-busy', 'true');
  const question = part.querySelector('.qa-ask:not([hidden]) .qa-ask-question');
  if (question) question.textContent = words;
};

element.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const part = button && partOf(button);
  if (!part || !element.contains(part)) return;
  if (button.classList.contains('qa-past-open')) {
    // On a phone the panel covers the chat: it closes once a conversation is chosen.
    if (window.innerWidth < PHONE_PX) document.querySelector('#qa-history .toggle-button')?.click();
    trigger('submit', {open: button.dataset.id});
  } else if (button.classList.contains('qa-rename')) {
    const form = part.querySelector('.qa-rename-form');
    open(part, form);
    const input = form.querySelector('input');
    input.value = part.querySelector('.qa-past-title').textContent;
    input.focus();
    input.select();
  } else if (button.classList.contains('qa-delete') || button.classList.contains('qa-forget')) {
    const ask = part.querySelector('.qa-ask');
    open(part, ask);
    ask.querySelector('.qa-no').focus();
  } else if (button.classList.contains('qa-no')) {
    reset(part);
    part.querySelector('.qa-rename, .qa-delete, .qa-forget')?.focus();
  } else if (button.classList.contains('qa-yes')) {
    // Answered once: the list is drawn anew when the app has done it.
    if (button.dataset.action === 'forget') {
      busy(part, 'Forgetting…');
      trigger('submit', {forget: 1});
    } else {
      busy(part, 'Deleting…');
      trigger('submit', {delete: button.dataset.id});
    }
  }
});

element.addEventListener('submit', (event) => {
  event.preventDefault();
  const part = partOf(event.target);
  const title = part.querySelector('.qa-rename-input').value.trim();
  if (!title) return reset(part);
  part.querySelector('.qa-past-title').textContent = title;  // at once; the app sends the list anew
  busy(part, '');
  trigger('click', {rename: part.dataset.id, title});
});

element.addEventListener('keydown', (event) => {
  const part = event.key === 'Escape' && event.target.closest && partOf(event.target);
  if (!part || !part.querySelector('.qa-ask:not([hidden]), .qa-rename-form:not([hidden])')) return;
  event.preventDefault();
  reset(part);
  part.querySelector('.qa-rename, .qa-delete, .qa-forget')?.focus();
});

element.addEventListener('input', (event) => {
  if (opened?.box === 'rename' && event.target.classList.contains('qa-rename-input')) opened.value = event.target.value;
});

// Drawn anew with a question or a rename open: open it again (with the title typed so far), if
// its conversation is still there, and give it the focus back if the redraw took it away.
whenRedrawn(() => {
  if (opened === null) return;
  const part = [...element.querySelectorAll('.qa-past-item, .qa-past-forget')].find((p) => idOf(p) === opened.id);
  if (!part) {
    opened = null;  // its conversation is gone
    return;
  }
  const box = part.querySelector(opened.box === 'ask' ? '.qa-ask' : '.qa-rename-form');
  if (!box.hidden) return;
  const {value} = opened;
  const lost = !document.activeElement || document.activeElement === document.body;
  open(part, box);
  const input = box.querySelector('.qa-rename-input');
  if (input) {
    input.value = value ?? part.querySelector('.qa-past-title').textContent;
    opened.value = input.value;
  }
  if (lost) (input ?? box.querySelector('.qa-no')).focus();
});
