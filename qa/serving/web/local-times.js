// Put before a list's script (`assets.py`): `localTimes()` shows each <time datetime> inside
// `element` in the reader's own time zone (the UTC time on hover), and `whenRedrawn(fn)` calls fn
// after the app has drawn the list anew (and once now), so a script can keep what it had opened.
const localTimes = () => {
  for (const time of element.querySelectorAll('time[datetime]:not([data-local])')) {
    const when = new Date(time.dateTime);
    if (Number.isNaN(when.getTime())) continue;
    time.dataset.local = '1';
    time.title = time.textContent;  // the UTC time, on hover
    time.textContent = when.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
  }
};
const redrawn = [localTimes];
const whenRedrawn = (fn) => { redrawn.push(fn); fn(); };
new MutationObserver(() => redrawn.forEach((fn) => fn()))
  .observe(element, {childList: true, subtree: true, characterData: true});
localTimes();
