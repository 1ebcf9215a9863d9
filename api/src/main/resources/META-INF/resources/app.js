// echostream dashboard: shared helpers. Plain JS, no framework; every data call goes through api().
'use strict';

/** GET or POST the API; a 401 sends the browser to the sign-in page (the session cookie expired or never was). */
async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { 'Accept': 'application/json' } }, options || {}));
  if (response.status === 401) {
    location.href = '/login.html';
    throw new Error('not signed in');
  }
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return response.json();
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.substring(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '' : String(c)));
  return node;
}

/** DICOM person name (Family^Given^Middle) as "Family, Given Middle". */
function personName(pn) {
  if (!pn) return '—';
  const [family, given, middle] = pn.split('^');
  return [family, [given, middle].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD. */
function dicomDate(da) {
  return da && /^\d{8}$/.test(da) ? da.substring(0, 4) + '-' + da.substring(4, 6) + '-' + da.substring(6, 8) : (da || '—');
}

function score(v) { return v === null || v === undefined ? '—' : Number(v).toFixed(2); }

function flagBadge(flagged) { return el('span', { class: 'flag ' + (flagged ? 'on' : 'off') }, flagged ? 'FLAGGED' : 'not flagged'); }

async function header() {
  try {
    const session = await api('/api/v1/session');
    document.getElementById('user').textContent = session.user + ' (' + session.roles.join(', ') + ')';
    if (session.roles.includes('admin') && location.pathname !== '/jobs.html') {
      document.getElementById('user').before(el('a', { href: '/jobs.html', id: 'jobs-link' }, 'Batch jobs'));
    }
  } catch (e) { /* api() redirected */ }
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/api/v1/session/logout', { method: 'POST', credentials: 'same-origin' });
    location.href = '/login.html';
  });
}

/**
 * Whether a study's result may still change: "provisional" while ingest expects more instances, "final" (with its
 * version when the study grew after a first finalisation), "—" when ingest never said (studies from before tracking).
 */
function completenessLabel(c) {
  if (!c || c.state === 'UNKNOWN') return '—';
  if (c.state === 'PROVISIONAL') {
    return 'provisional' + (c.instancesExpected ? ' (' + c.instancesReceived + '/' + c.instancesExpected + ')' : '');
  }
  return 'final' + (c.version > 1 ? ' v' + c.version : '');
}
