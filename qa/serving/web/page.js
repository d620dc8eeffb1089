() => {
  const REFERENCE = /\[(\d+)\]/g;
  const answerRows = () => [...document.querySelectorAll('#qa-chat .message-row.bot-row')];

  // The n of the [n] under a point of an answer, or null.
  function referenceAt(x, y) {
    const caret = document.caretPositionFromPoint ? document.caretPositionFromPoint(x, y) : null;
    const node = caret ? caret.offsetNode : null;
    if (!node || node.nodeType !== Node.TEXT_NODE) return null;
    for (const match of node.data.matchAll(REFERENCE)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      for (const box of range.getClientRects()) {
        if (x >= box.left - 2 && x <= box.right + 2 && y >= box.top && y <= box.bottom) return Number(match[1]);
      }
    }
    return null;
  }

  function openCitation(answer, citation) {
    window.qaCitation = `${answer}:${citation}`;
    document.querySelector('#qa-cite-open')?.click();
  }

  document.addEventListener('click', (event) => {
    const card = event.target.closest('#qa-cards .qa-card[data-citation]');
    if (card) return openCitation(card.dataset.answer, card.dataset.citation);
    const row = event.target.closest('#qa-chat .message-row.bot-row');
    if (!row || event.target.closest('button') || !window.getSelection().isCollapsed) return;
    const answer = answerRows().indexOf(row);
    if (answer >= 0) openCitation(answer, referenceAt(event.clientX, event.clientY) ?? 0);
  });
  document.addEventListener('keydown', (event) => {
    const card = event.target.closest && event.target.closest('#qa-cards .qa-card[data-citation]');
    if (card && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      openCitation(card.dataset.answer, card.dataset.citation);
    }
  });
  document.addEventListener('mousemove', (event) => {
    const inAnswer = event.target.closest && event.target.closest('#qa-chat .message-row.bot-row');
    document.body.classList.toggle('qa-on-ref', !!inAnswer && referenceAt(event.clientX, event.clientY) !== null);
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
  // would jump away from the answer. Only a click on a citation (data-reveal) may bring
  // the viewer into view when it is off screen.
  function scrollViewer() {
    const doc = document.querySelector('#qa-viewer .qa-doc');
    const mark = doc && doc.querySelector('mark');
    if (!mark || doc.dataset.scrolled || doc.clientHeight === 0) return;
    doc.dataset.scrolled = '1';
    doc.scrollTop = mark.offsetTop - (doc.clientHeight - mark.offsetHeight) / 2;
    const box = mark.getBoundingClientRect();
    if (doc.dataset.reveal && (box.top < 0 || box.bottom > window.innerHeight)) {
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
      markReferences();
      markShownAnswer();
      scrollViewer();
    });
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
