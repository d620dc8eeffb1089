() => {
  const REFERENCE = /\[(\d+)\]/g;
  // A phone (the width below which the sidebar covers the chat, app.py): a citation opens in
  // place, in a sheet over the lower screen, as the document viewer is far below the chat.
  const PHONE = window.matchMedia('(max-width: 767px)');
  const TARGET_PX = 44;  // a finger's target (WCAG 2.5.5)
  const answerRows = () => [...document.querySelectorAll('#qa-chat .message-row.bot-row')];

  // The n of the [n] at a point of an answer's row, or null. On a phone each [n] is hit
  // within a 44×44 px box around its glyphs (the nearest one wins); elsewhere on its glyphs.
  function referenceAt(row, x, y) {
    const content = row.querySelector('.message-content');
    if (!content) return null;
    const phone = PHONE.matches;
    let found = null;
    let nearest = Infinity;
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(REFERENCE)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        for (const box of range.getClientRects()) {
          const padX = phone ? Math.max(2, (TARGET_PX - box.width) / 2) : 2;
          const padY = phone ? Math.max(0, (TARGET_PX - box.height) / 2) : 0;
          if (x < box.left - padX || x > box.right + padX || y < box.top - padY || y > box.bottom + padY) continue;
          const distance = Math.hypot(x - (box.left + box.right) / 2, y - (box.top + box.bottom) / 2);
          if (distance < nearest) [found, nearest] = [Number(match[1]), distance];
        }
      }
    }
    return found;
  }

  // --- the sheet a citation opens in on a phone: its card's heading and passage, Close ---
  const sheet = document.createElement('section');
  sheet.id = 'qa-sheet';
  sheet.hidden = true;
  sheet.setAttribute('role', 'dialog');
  sheet.setAttribute('aria-labelledby', 'qa-sheet-title');
  sheet.innerHTML = '<div class="qa-sheet-head"><div class="qa-sheet-title" id="qa-sheet-title"></div>'
    + '<button type="button" class="qa-sheet-close" aria-label="Close the quote">✕</button></div>'
    + '<div class="qa-sheet-body"></div>'
    + '<div class="qa-sheet-foot"><button type="button" class="qa-sheet-document">Whole document ↓</button></div>';
  document.body.append(sheet);
  const sheetTitle = sheet.querySelector('.qa-sheet-title');
  const sheetBody = sheet.querySelector('.qa-sheet-body');
  let waitingFor = null;  // the citation the sheet shows once its card is drawn
  let opener = null;  // what opened the sheet, focused again when it closes

  function openSheet(answer, citation, from) {
    waitingFor = {answer, citation};
    opener = from || null;
    Object.assign(sheet.dataset, {answer, citation});
    delete sheet.dataset.ready;
    sheetTitle.textContent = `[${citation}]`;
    sheetBody.textContent = 'Opening the quote…';
    sheet.hidden = false;
    fillSheet();
    sheet.querySelector('.qa-sheet-close').focus({preventScroll: true});
  }

  // The card of the citation waited for, copied into the sheet (its nodes, escaped by the
  // app: nothing is parsed anew), the quote centred in the sheet's own box.
  function fillSheet() {
    if (!waitingFor || sheet.hidden) return;
    const {answer, citation} = waitingFor;
    const card = document.querySelector(`#qa-cards .qa-card[data-answer="${answer}"][data-citation="${citation}"]`);
    if (!card) {  // its answer's cards (all its citations) drawn without it: a "[n]" of a document, no citation
      if (document.querySelector(`#qa-cards .qa-evidence-for[data-answer="${answer}"]`)) {
        sheetBody.textContent = `This answer has no quote [${citation}].`;
      }
      return;
    }
    waitingFor = null;
    sheetTitle.replaceChildren(card.querySelector('.qa-card-head').cloneNode(true));
    sheetBody.replaceChildren(card.querySelector('.qa-passage').cloneNode(true));
    const mark = sheetBody.querySelector('mark');
    if (mark) sheetBody.scrollTop = mark.offsetTop - (sheetBody.clientHeight - mark.offsetHeight) / 2;
    sheet.dataset.ready = '1';
  }

  function closeSheet() {
    if (sheet.hidden) return;
    sheet.hidden = true;
    waitingFor = null;
    if (opener && opener.isConnected) opener.focus({preventScroll: true});
    opener = null;
  }

  sheet.querySelector('.qa-sheet-close').addEventListener('click', closeSheet);
  // The one move of the page a reader asks for: down to the whole document.
  sheet.querySelector('.qa-sheet-document').addEventListener('click', () => {
    closeSheet();
    document.querySelector('#qa-viewer')?.scrollIntoView({block: 'start'});
  });
  PHONE.addEventListener('change', closeSheet);

  function openCitation(answer, citation, from) {
    window.qaCitation = `${answer}:${citation}`;
    document.querySelector('#qa-cite-open')?.click();
    if (PHONE.matches && Number(citation) > 0) openSheet(Number(answer), Number(citation), from);
  }

  // Under each answer on a phone, a row of 44 px buttons, one for each [n] it quotes.
  function citationButtons() {
    for (const row of answerRows()) {
      const content = row.querySelector('.message-content');
      if (!content) continue;
      // 1, 2... as far as they go: a "[12]" quoted from a document is no citation.
      const seen = new Set([...content.textContent.matchAll(REFERENCE)].map((m) => Number(m[1])));
      const numbers = [];
      while (seen.has(numbers.length + 1)) numbers.push(numbers.length + 1);
      let bar = row.querySelector('.qa-cite-bar');
      if (bar && bar.dataset.numbers === numbers.join(',')) continue;
      bar?.remove();
      if (!numbers.length) continue;
      bar = document.createElement('div');
      bar.className = 'qa-cite-bar';
      bar.dataset.numbers = numbers.join(',');
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', 'Open a quote');
      for (const n of numbers) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'qa-cite-button';
        button.dataset.citation = String(n);
        button.textContent = `[${n}]`;
        button.setAttribute('aria-label', `Open quote ${n}`);
        bar.append(button);
      }
      content.after(bar);
    }
  }

  document.addEventListener('click', (event) => {
    if (sheet.contains(event.target) || event.target.closest('#qa-cite-open')) return;
    const button = event.target.closest('#qa-chat .qa-cite-button');
    if (button) {
      return openCitation(answerRows().indexOf(button.closest('.message-row')), button.dataset.citation, button);
    }
    const card = event.target.closest('#qa-cards .qa-card[data-citation]');
    if (card) return openCitation(card.dataset.answer, card.dataset.citation, card);
    const row = event.target.closest('#qa-chat .message-row.bot-row');
    const reference = row ? referenceAt(row, event.clientX, event.clientY) : null;
    if (reference === null) closeSheet();  // a tap elsewhere puts the quote away
    if (!row || event.target.closest('button') || !window.getSelection().isCollapsed) return;
    const answer = answerRows().indexOf(row);
    if (answer >= 0) openCitation(answer, reference ?? 0);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !sheet.hidden) {
      event.preventDefault();
      return closeSheet();
    }
    const card = event.target.closest && event.target.closest('#qa-cards .qa-card[data-citation]');
    if (card && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      openCitation(card.dataset.answer, card.dataset.citation, card);
    }
  });
  document.addEventListener('mousemove', (event) => {
    const row = event.target.closest && event.target.closest('#qa-chat .message-row.bot-row');
    document.body.classList.toggle('qa-on-ref', !!row && referenceAt(row, event.clientX, event.clientY) !== null);
  }, {passive: true});

  function markReferences() {
    if (!window.CSS || !CSS.highlights) return;
    const ranges = [];
    for (const content of document.querySelectorAll('#qa-chat .bot-row .message-content')) {
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(REFERENCE)) {
          const range = new Range();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          ranges.push(range);
        }
      }
    }
    CSS.highlights.set('qa-ref', new Highlight(...ranges));
  }

  // A new answer is shown from its question down (the chat's own autoscroll, off, would
  // show its end, and fire 300 ms later: a click on [n] by then would land elsewhere).
  let lastAnswer;
  function showNewAnswer() {
    const chat = document.querySelector('#qa-chat');
    const wrap = chat && chat.querySelector('.bubble-wrap');
    const answers = answerRows();
    const answer = answers[answers.length - 1] || null;
    if (!wrap || answer === lastAnswer) return;
    lastAnswer = answer;
    if (answer) {
      const rows = [...chat.querySelectorAll('.message-row')];
      const question = rows[rows.indexOf(answer) - 1];
      const top = question && question.classList.contains('user-row') ? question : answer;
      wrap.scrollTop += top.getBoundingClientRect().top - wrap.getBoundingClientRect().top - 8;
    }
    chat.dataset.answers = String(answers.length);
  }

  // The answer whose evidence is shown is outlined in the chat.
  function markShownAnswer() {
    const card = document.querySelector('#qa-cards [data-answer]');
    const shown = card ? Number(card.dataset.answer) : -1;
    answerRows().forEach((row, i) => row.classList.toggle('qa-shown', i === shown));
  }

  // Scroll the viewer's own box to its highlight, never the page: on a phone the page
  // would jump away from the answer (its citations open in the sheet). On a wider screen,
  // only a click on a citation (data-reveal) may bring the viewer into view when it is off screen.
  function scrollViewer() {
    const doc = document.querySelector('#qa-viewer .qa-doc');
    const mark = doc && doc.querySelector('mark');
    if (!mark || doc.dataset.scrolled || doc.clientHeight === 0) return;
    doc.dataset.scrolled = '1';
    doc.scrollTop = mark.offsetTop - (doc.clientHeight - mark.offsetHeight) / 2;
    const box = mark.getBoundingClientRect();
    if (doc.dataset.reveal && !PHONE.matches && (box.top < 0 || box.bottom > window.innerHeight)) {
      const viewer = document.querySelector('#qa-viewer').getBoundingClientRect();
      window.scrollBy({top: viewer.top - 8});
    }
  }

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      showNewAnswer();
      citationButtons();
      markReferences();
      markShownAnswer();
      scrollViewer();
      if (!sheet.hidden && !answerRows()[Number(sheet.dataset.answer)]) closeSheet();  // its answer is gone
      fillSheet();
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
