// The line under the title (`header.py`), run once by Gradio with `element`: its button opens the
// Documents tab, and brings it into view (on a phone it is below the chat).
element.addEventListener('click', (event) => {
  if (!event.target.closest('.qa-open-documents')) return;
  const tab = [...document.querySelectorAll('#qa-tabs button[role=tab]')].find((b) => b.textContent.trim() === 'Documents');
  if (!tab) return;
  tab.click();
  document.querySelector('#qa-tabs').scrollIntoView({block: 'start', behavior: 'smooth'});
});
