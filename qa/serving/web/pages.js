() => {
  // The viewer's page view (qa.serving.web.pages) is scrolled to the citation's first box once
  // its image has loaded; the Page / Text toggle re-centres the view it shows on the citation.
  function centre(view, target) {
    const offset = target.getBoundingClientRect().top - view.getBoundingClientRect().top + view.scrollTop;
    view.scrollTop = offset - (view.clientHeight - target.getBoundingClientRect().height) / 2;
  }

  function showPage() {
    const view = document.querySelector('#qa-viewer .qa-page-view');
    const box = view && view.querySelector('.qa-box');
    const image = view && view.querySelector('img');
    if (!box || !image || view.dataset.scrolled || view.clientHeight === 0) return;
    if (!image.complete) {
      image.addEventListener('load', showPage, {once: true});
      return;
    }
    view.dataset.scrolled = '1';
    centre(view, box);
  }

  document.addEventListener('change', (event) => {
    if (event.target.name !== 'qa-view') return;
    const doc = document.querySelector('#qa-viewer .qa-doc');
    const mark = doc && doc.querySelector('mark');
    if (event.target.id === 'qa-view-text' && mark) centre(doc, mark);
    showPage();
  });

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      showPage();
    });
  }).observe(document.body, {childList: true, subtree: true});
}
