// echostream study page: series tabs, cine loop, surprise timeline, keyframe heatmap, events, similar studies.
'use strict';

const studyUid = new URLSearchParams(location.search).get('study');
let cineTimer = null;
/** What the next answer is about: the selected series, and an event of it or null for the series as a whole. */
const review = { seriesUid: null, eventId: null, events: [] };
const SEGMENTS = ['basal anterior', 'basal anteroseptal', 'basal inferoseptal', 'basal inferior', 'basal inferolateral',
  'basal anterolateral', 'mid anterior', 'mid anteroseptal', 'mid inferoseptal', 'mid inferior', 'mid inferolateral',
  'mid anterolateral', 'apical anterior', 'apical septal', 'apical inferior', 'apical lateral', 'apex'];

async function loadStudy() {
  let study;
  try {
    study = await api('/api/v1/studies/' + encodeURIComponent(studyUid));
  } catch (e) {
    document.getElementById('study').replaceChildren(el('p', { class: 'error' }, e.message));
    return;
  }
  document.title = 'echostream: ' + personName(study.patient && study.patient.patientName);
  const p = study.patient || {};
  document.getElementById('study').replaceChildren(
    el('h1', {}, personName(p.patientName), ' ', flagBadge(study.flagged)),
    el('div', { class: 'patient' },
      fact('Patient ID', p.patientId), fact('Birth date', dicomDate(p.birthDate)), fact('Sex', p.sex),
      fact('Study date', dicomDate(study.studyDate)), fact('Description', study.studyDescription),
      fact('Accession', study.accessionNumber), fact('Institution', study.institutionName),
      fact('Highest series score', score(study.maxScore)), fact('Events', study.eventCount),
      fact('Status', study.status.replace('_', ' ').toLowerCase()), fact('Result', completenessLabel(study.completeness))));
  const tabs = document.getElementById('tabs');
  tabs.replaceChildren(...study.series.map(s => el('button', {
      'data-series': s.seriesInstanceUid, class: s.flagged ? 'flagged' : '',
      onclick: () => selectSeries(s.seriesInstanceUid) },
    (s.seriesDescription || 'series') + (s.seriesNumber ? ' #' + s.seriesNumber : '') + ' · ' + score(s.anomalyScore) + (s.flagged ? ' · flagged' : ''))));
  const first = study.series.find(s => s.flagged) || study.series.find(s => s.anomalyScore !== null) || study.series[0];
  if (first) selectSeries(first.seriesInstanceUid);
  loadSimilar();
}

function fact(label, value) {
  return el('div', {}, el('span', {}, label), value === null || value === undefined || value === '' ? '—' : value);
}

async function selectSeries(seriesUid) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.series === seriesUid);
  const base = '/api/v1/series/' + encodeURIComponent(seriesUid);
  const [series, timeline] = await Promise.all([api(base), api(base + '/timeline')]);
  document.getElementById('series-title').textContent = (series.seriesDescription || '') + ' ' + flagText(series);
  document.getElementById('series-facts').replaceChildren(
    fact('Anomaly score', score(series.anomalyScore)), fact('Flag', series.flagged ? 'flagged' : 'not flagged'),
    fact('Clips scored', series.clips), fact('Clips cut', series.clipsCut), fact('Frames', series.frames),
    fact('Peak clip score', score(series.peakScore)), fact('Status', series.status.toLowerCase()),
    ...series.instances.filter(i => i.verdict !== 'CLIPS').map(i => fact('Not scored', i.reasonCode + ': ' + (i.reasonDetail || ''))));
  renderEvents(series.events);
  review.seriesUid = seriesUid;
  review.events = series.events;
  setReviewTarget(null);
  loadFeedback();
  const m = series.model;
  document.getElementById('provenance').textContent = (m ? 'Model ' + m.name + ' ' + m.version + ', preprocessing ' + m.preprocessingVersion
      + ' (encoder sha256 ' + m.encoderSha256.substring(0, 12) + '…). ' : 'Not scored yet. ') + 'Research software, not a medical device.';
  const loop = timeline.loops.find(l => l.points.length) || timeline.loops[0] || (series.loops[0] && { sopInstanceUid: series.loops[0].sopInstanceUid, points: [], events: [] });
  if (!loop) {
    document.getElementById('timeline-plot').replaceChildren(el('p', { class: 'muted' }, 'Nothing scored in this series.'));
    return;
  }
  renderTimeline(seriesUid, loop);
  playCine(seriesUid, loop.sopInstanceUid);
  const peak = loop.points.reduce((best, p) => (!best || p.clipScore > best.clipScore ? p : best), null);
  showKeyframe(seriesUid, loop.sopInstanceUid, peak ? peak.clipIndex : 0, peak);
}

function flagText(series) { return series.flagged ? '(flagged)' : ''; }

function renderEvents(events) {
  const body = document.querySelector('#events tbody');
  if (!events.length) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'No anomaly events in this series.')));
    return;
  }
  body.replaceChildren(...events.map(e => el('tr', {},
    el('td', {}, e.startSeconds.toFixed(2) + '–' + e.endSeconds.toFixed(2) + ' s'),
    el('td', {}, e.firstFrame + '–' + e.lastFrame),
    el('td', {}, e.firstClipIndex + '–' + e.lastClipIndex),
    el('td', { class: 'num' }, score(e.peakScore)),
    el('td', { class: 'num' }, score(e.meanScore)),
    el('td', {}, 'rows ' + e.region.rowStart + '–' + e.region.rowEnd + ' × cols ' + e.region.colStart + '–' + e.region.colEnd
      + '; ' + e.region.sourceWidth + '×' + e.region.sourceHeight + ' px at (' + e.region.sourceX + ', ' + e.region.sourceY + ')'),
    el('td', { class: 'muted' }, e.rule),
    el('td', {}, el('button', { type: 'button', class: 'review-event', 'data-event': e.eventId,
      onclick: () => { setReviewTarget(e.eventId); document.querySelector('#review .answer.agree').focus(); } }, 'Review event')))));
}

function eventLabel(e) { return 'event ' + e.startSeconds.toFixed(2) + '–' + e.endSeconds.toFixed(2) + ' s'; }

function setReviewTarget(eventId) {
  review.eventId = eventId;
  const e = review.events.find(x => x.eventId === eventId);
  document.getElementById('review-target').textContent = e ? eventLabel(e) : 'this series as a whole';
  document.getElementById('review-series').hidden = !e;
}

async function loadFeedback() {
  try {
    renderFeedback(await api('/api/v1/series/' + encodeURIComponent(review.seriesUid) + '/feedback'));
  } catch (e) {
    document.getElementById('feedback-result').textContent = e.message;
  }
}

function answerRow(a) {
  const e = review.events.find(x => x.eventId === a.eventId);
  return el('tr', { class: 'answer-' + a.answer.toLowerCase() },
    el('td', {}, new Date(a.answeredAt).toLocaleString()), el('td', {}, a.clinician),
    el('td', {}, a.eventId ? (e ? eventLabel(e) : 'an event') : 'series'), el('td', {}, a.answer.toLowerCase()),
    el('td', {}, a.finding ? a.finding.replaceAll('_', ' ').toLowerCase() + (a.segment ? ' (segment ' + a.segment + ', ' + SEGMENTS[a.segment - 1] + ')' : '') : '—'),
    el('td', {}, a.comment || ''));
}

function renderFeedback(f) {
  const s = f.summary;
  document.getElementById('review-info').textContent = s.reviewed
    ? '(reviewed: ' + s.agree + ' agree, ' + s.disagree + ' disagree, ' + s.uncertain + ' uncertain; ' + s.reviewers + ' clinician' + (s.reviewers === 1 ? '' : 's') + ')'
    : (s.awaitingReview ? '(flagged, not yet reviewed)' : '(no answer yet)');
  const body = document.querySelector('#feedback tbody');
  body.replaceChildren(...(f.current.length ? f.current.map(answerRow)
    : [el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No answer yet.'))]));
  document.querySelector('#feedback-history tbody').replaceChildren(...f.history.map(answerRow));
}

async function sendAnswer(answer) {
  if (!review.seriesUid) return;
  const finding = document.getElementById('finding').value;
  const body = { answer: answer, eventId: review.eventId, finding: finding || null,
    segment: finding === 'REGIONAL_WALL_MOTION_ABNORMALITY' ? Number(document.getElementById('segment').value) : null,
    comment: document.getElementById('comment').value || null };
  const result = document.getElementById('feedback-result');
  result.textContent = 'Recording…';
  try {
    const f = await api('/api/v1/series/' + encodeURIComponent(review.seriesUid) + '/feedback',
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: JSON.stringify(body) });
    renderFeedback(f);
    result.textContent = 'Recorded: ' + answer.toLowerCase() + ' on ' + document.getElementById('review-target').textContent + '.';
    // A finding belongs to one answer: clear it so the next answer does not carry it by accident.
    document.getElementById('comment').value = '';
    document.getElementById('finding').value = '';
    document.getElementById('segment-label').hidden = true;
  } catch (e) {
    result.textContent = 'Not recorded: ' + e.message;
  }
}

function setUpReview() {
  const segment = document.getElementById('segment');
  segment.replaceChildren(...SEGMENTS.map((name, i) => el('option', { value: i + 1 }, (i + 1) + ' ' + name)));
  const finding = document.getElementById('finding');
  finding.addEventListener('change', () => { document.getElementById('segment-label').hidden = finding.value !== 'REGIONAL_WALL_MOTION_ABNORMALITY'; });
  for (const b of document.querySelectorAll('#review .answer')) b.addEventListener('click', () => sendAnswer(b.dataset.answer));
  document.getElementById('review-series').addEventListener('click', () => setReviewTarget(null));
  // One key per answer, as long as the clinician is not typing in a field.
  document.addEventListener('keydown', e => {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) return;
    const answer = { a: 'AGREE', d: 'DISAGREE', u: 'UNCERTAIN' }[e.key.toLowerCase()];
    if (answer) { e.preventDefault(); sendAnswer(answer); }
  });
}

/** Clip score against time as an SVG line with the events shaded; each clip a clickable point. */
function renderTimeline(seriesUid, loop) {
  const plot = document.getElementById('timeline-plot');
  if (!loop.points.length) {
    plot.replaceChildren(el('p', { class: 'muted' }, 'No clip scored yet in this loop.'));
    return;
  }
  const W = 800, H = 220, L = 44, R = 12, T = 10, B = 30;
  const tMax = Math.max(...loop.points.map(p => p.endSeconds), ...loop.events.map(e => e.endSeconds));
  const yMax = Math.max(1, ...loop.points.map(p => p.clipScore)) * 1.1;
  const x = t => L + (W - L - R) * t / tMax;
  const y = v => T + (H - T - B) * (1 - v / yMax);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('preserveAspectRatio', 'none');
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
    return n;
  };
  for (const e of loop.events) {
    add('rect', { x: x(e.startSeconds), y: T, width: Math.max(2, x(e.endSeconds) - x(e.startSeconds)), height: H - T - B, fill: '#fbeaea', stroke: '#e4b1ad', class: 'event-range' });
  }
  for (let v = 0; v <= yMax; v += yMax > 6 ? 2 : 1) {
    add('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e6e9ee' });
    add('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6675' }, v.toFixed(0));
  }
  for (let t = 0; t <= tMax; t += tMax > 20 ? 5 : 1) {
    add('text', { x: x(t), y: H - 10, 'text-anchor': 'middle', 'font-size': 11, fill: '#5b6675' }, t + ' s');
  }
  const mid = p => (p.startSeconds + p.endSeconds) / 2;
  add('polyline', { points: loop.points.map(p => x(mid(p)) + ',' + y(p.clipScore)).join(' '), fill: 'none', stroke: '#1b5e9b', 'stroke-width': 2 });
  for (const p of loop.points) {
    const inEvent = loop.events.some(e => p.clipIndex >= e.firstClipIndex && p.clipIndex <= e.lastClipIndex);
    const dot = add('circle', { cx: x(mid(p)), cy: y(p.clipScore), r: 5, fill: inEvent ? '#b3261e' : '#1b5e9b', class: 'point', 'data-clip': p.clipIndex });
    dot.append(Object.assign(document.createElementNS(ns, 'title'), { textContent: 'clip ' + p.clipIndex + ': score ' + score(p.clipScore) + ', ' + p.startSeconds.toFixed(2) + '–' + p.endSeconds.toFixed(2) + ' s' }));
    dot.addEventListener('click', () => showKeyframe(seriesUid, loop.sopInstanceUid, p.clipIndex, p));
  }
  add('text', { x: 12, y: T + 10, 'font-size': 11, fill: '#5b6675', transform: 'rotate(-90 12 ' + (T + 10) + ')', 'text-anchor': 'end' }, 'clip score');
  plot.replaceChildren(svg);
}

function showKeyframe(seriesUid, sop, clipIndex, point) {
  const img = document.querySelector('#keyframe img');
  const note = document.getElementById('keyframe-note');
  note.textContent = '';
  img.onerror = () => { note.textContent = 'No pixels held for this clip (the api keeps the most recent loops; clips are kept 3 days).'; };
  img.src = '/api/v1/series/' + encodeURIComponent(seriesUid) + '/loops/' + encodeURIComponent(sop) + '/clips/' + clipIndex + '/keyframe.png';
  document.getElementById('keyframe-info').textContent = 'clip ' + clipIndex + (point ? ', score ' + score(point.clipScore) + ', ' + point.startSeconds.toFixed(2) + '–' + point.endSeconds.toFixed(2) + ' s' : '');
}

async function playCine(seriesUid, sop) {
  if (cineTimer) clearInterval(cineTimer);
  const canvas = document.getElementById('cine');
  const note = document.getElementById('cine-note');
  const base = '/api/v1/series/' + encodeURIComponent(seriesUid) + '/loops/' + encodeURIComponent(sop);
  let cine;
  try {
    cine = await api(base + '/cine');
  } catch (e) {
    note.textContent = e.message;
    return;
  }
  note.textContent = '';
  const layout = cine.layout;
  canvas.width = layout.frameWidth;
  canvas.height = layout.frameHeight;
  const sprite = new Image();
  sprite.src = cine.spriteUrl;
  await sprite.decode();
  const ctx = canvas.getContext('2d');
  let frame = 0, playing = true;
  const draw = () => {
    const sx = (frame % layout.columns) * layout.frameWidth, sy = Math.floor(frame / layout.columns) * layout.frameHeight;
    ctx.drawImage(sprite, sx, sy, layout.frameWidth, layout.frameHeight, 0, 0, layout.frameWidth, layout.frameHeight);
    document.getElementById('cine-time').textContent = 'frame ' + layout.frameIndices[frame] + ', ' + (layout.frameIndices[frame] / layout.fps).toFixed(2) + ' s';
  };
  document.getElementById('cine-info').textContent = layout.frameIndices.length + ' frames at ' + layout.fps + ' fps, cleaned sector';
  draw();
  cineTimer = setInterval(() => { if (playing) { frame = (frame + 1) % layout.frameIndices.length; draw(); } }, 1000 / layout.fps);
  const button = document.getElementById('play');
  button.onclick = () => { playing = !playing; button.textContent = playing ? 'Pause' : 'Play'; };
}

async function loadSimilar() {
  const body = document.querySelector('#similar tbody');
  try {
    const similar = await api('/api/v1/studies/' + encodeURIComponent(studyUid) + '/similar?limit=5');
    document.getElementById('similar-info').textContent = similar.modelName
      ? '(cosine of mean clip embeddings, ' + similar.modelName + ' ' + similar.modelVersion + ', ' + similar.candidates + ' studies compared)' : '';
    if (!similar.neighbours.length) {
      body.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No embedded study to compare with yet.')));
      return;
    }
    body.replaceChildren(...similar.neighbours.map(n => el('tr', { class: 'row', onclick: () => { location.href = '/study.html?study=' + encodeURIComponent(n.studyInstanceUid); } },
      el('td', {}, dicomDate(n.studyDate)), el('td', {}, n.studyDescription || '—'), el('td', { class: 'num' }, n.similarity.toFixed(3)),
      el('td', {}, flagBadge(n.flagged)), el('td', { class: 'num' }, score(n.maxScore)))));
  } catch (e) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 5, class: 'error' }, e.message)));
  }
}

header();
setUpReview();
loadStudy();
