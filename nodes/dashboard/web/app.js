// Actorflow dashboard: one page over the node's HTTP/JSON API (/v1/...), no framework.
// Every piece of data reaches the page as text (textContent, text nodes): a workflow id, an error
// or a reason can never become markup. Ids go into URLs through encodeURIComponent, so an id
// holding '/' stays one path segment.
'use strict';

const REFRESH_MS = 3000;
const PAGE_SIZE = 20;
const STATUSES = ['running', 'compensating', 'completed', 'failed', 'compensated', 'dead-lettered'];
const TOKEN_KEY = 'actorflow.token';  // sessionStorage: this tab only, gone when it closes
const ROLE_RANK = { read: 1, operate: 2, admin: 3 };

// Who the page acts as: the node's answer to GET /v1/whoami. The token stays in sessionStorage
// and goes only into the Authorization header: never into a URL, a cookie or the page.
const auth = {
  token: sessionStorage.getItem(TOKEN_KEY),
  caller: null,  // {name, role, authenticated} once the node accepted the token (or needs none)
  required: false,  // the node answered 401: ask for a token, do not call it again without one
};

// Whether the caller may take actions that need `role` (route_roles.cpp on the node).
function can(role) {
  return auth.caller !== null && (ROLE_RANK[auth.caller.role] || 0) >= ROLE_RANK[role];
}

// ---- small helpers ----

// Builds an element: attrs are set as attributes (never HTML); children are nodes or strings
// (strings become text nodes); null/undefined/false children are skipped.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function byId(id) { return document.getElementById(id); }

function replaceChildren(parent, children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  for (const child of children) parent.appendChild(child);
}

function workflowHref(id) { return '#/workflows/' + encodeURIComponent(id); }
function workflowApi(id) { return '/v1/workflows/' + encodeURIComponent(id); }

function workflowLink(id) { return el('a', { href: workflowHref(id), class: 'mono' }, id); }

function statusBadge(status) {
  return el('span', { class: 'status status-' + String(status).replace(/[^a-z-]/g, '') }, status);
}

function pad(n, width) { return String(n).padStart(width, '0'); }

function formatTime(ms) {
  if (typeof ms !== 'number' || ms <= 0) return '';
  const d = new Date(ms);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + ' ' +
         pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' +
         pad(d.getMilliseconds(), 3);
}

function formatDuration(ms) {
  if (typeof ms !== 'number' || ms < 0) return '';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
  const minutes = Math.floor(ms / 60000);
  if (minutes < 60) return minutes + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
  return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
}

function emptyRow(columns, text) {
  return el('tr', { class: 'empty' }, el('td', { colspan: columns }, text));
}

// Calls the API; resolves with the JSON body, rejects with an Error naming the route and the
// node's {"error"} message.
async function api(path, options) {
  let response;
  const request = Object.assign({ cache: 'no-store', credentials: 'omit' }, options || {});
  if (auth.token) request.headers = Object.assign({}, request.headers || {}, { Authorization: 'Bearer ' + auth.token });
  try {
    response = await fetch(path, request);
  } catch (e) {
    throw new Error('cannot reach the node (' + path + '): ' + e.message);
  }
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const why = body && typeof body.error === 'string' ? body.error : 'HTTP ' + response.status;
    const error = new Error(why);
    error.status = response.status;
    if (response.status === 401 && auth.token) signOut('The node refused the token: ' + why);
    if (response.status === 401) auth.required = true;
    throw error;
  }
  return body;
}

function showProblem(message) {
  const box = byId('problem');
  box.textContent = message || '';
  box.hidden = !message;
}

function markRefreshed() {
  const now = new Date();
  byId('refreshed').textContent = 'updated ' + pad(now.getHours(), 2) + ':' + pad(now.getMinutes(), 2) + ':' +
                                  pad(now.getSeconds(), 2);
}

// ---- overview ----

// The workflow list shown: its filters and page come from the URL's fragment
// (#/?status=&definition=&after=&limit=), so a filtered page can be linked and reloaded.
const listing = {
  status: '',
  definition: '',
  after: '',         // the page starts after this id ('' = the first page)
  limit: PAGE_SIZE,
  previous: [],      // the `after` of each page before this one, as far as this tab has paged
  next_after: null,  // from the last answer
  hash: null,        // the fragment these were read from
};

// Reads the list's filters and page from the fragment when it changed (so a refresh never
// overwrites what someone is typing in the filter form).
function readListing(params, hash) {
  if (hash === listing.hash) return;
  listing.hash = hash;
  const status = params.get('status') || '';
  const definition = params.get('definition') || '';
  if (status !== listing.status || definition !== listing.definition) listing.previous = [];
  listing.status = status;
  listing.definition = definition;
  listing.after = params.get('after') || '';
  const limit = Number(params.get('limit'));
  listing.limit = Number.isInteger(limit) && limit >= 1 && limit <= 1000 ? limit : PAGE_SIZE;
  if (!listing.after) listing.previous = [];
  byId('filter-status').value = listing.status;
  byId('filter-definition').value = listing.definition;
}

// Shows the list with these filters, from the page after `after` ('' = the first page).
function showListing(status, definition, after) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (definition) params.set('definition', definition);
  if (after) params.set('after', after);
  if (listing.limit !== PAGE_SIZE) params.set('limit', String(listing.limit));
  const query = params.toString();
  const hash = '#/' + (query ? '?' + query : '');
  if (location.hash === hash) refresh();
  else location.hash = hash;
}

function renderStats(stats) {
  const byStatus = (stats && stats.workflows_by_status) || {};
  const statuses = STATUSES.concat(Object.keys(byStatus).filter((s) => !STATUSES.includes(s)));
  const cards = statuses.map((status) => {
    const count = typeof byStatus[status] === 'number' ? byStatus[status] : 0;
    const card = el('button', { type: 'button', class: 'stat stat-' + status + (listing.status === status ? ' selected' : ''),
                                title: 'show ' + status + ' workflows', 'data-status': status },
                    el('span', { id: 'count-' + status, class: 'stat-count' }, count),
                    el('span', { class: 'stat-label' }, status));
    card.addEventListener('click', () => {
      listing.previous = [];
      showListing(listing.status === status ? '' : status, listing.definition, '');
    });
    return card;
  });
  cards.push(el('div', { class: 'stat stat-info' },
                el('span', { id: 'count-instances', class: 'stat-count' }, stats.running_instances),
                el('span', { class: 'stat-label' }, 'live instances')));
  replaceChildren(byId('stats'), cards);
  byId('draining').hidden = !stats.draining;
}

function renderWorkflows(page) {
  const rows = (page.workflows || []).map((wf) =>
    el('tr', {},
       el('td', {}, workflowLink(wf.id)),
       el('td', {}, wf.definition, el('span', { class: 'muted' }, ' v' + wf.version)),
       el('td', {}, statusBadge(wf.status)),
       el('td', { class: 'time' }, formatTime(wf.started_ms)),
       el('td', { class: 'time' }, formatTime(wf.updated_ms))));
  replaceChildren(byId('workflows'), rows.length ? rows : [emptyRow(5, 'No workflows match.')]);
  listing.next_after = typeof page.next_after === 'string' ? page.next_after : null;
  byId('page-next').disabled = listing.next_after === null;
  byId('page-prev').disabled = listing.previous.length === 0;
  byId('page-first').disabled = listing.after === '';
  const filters = [listing.status && 'status ' + listing.status, listing.definition && 'definition ' + listing.definition];
  const shown = filters.filter(Boolean).join(', ');
  const where = listing.after ? 'after ' + listing.after : 'from the first';
  byId('page-info').textContent = rows.length + (rows.length === 1 ? ' workflow ' : ' workflows ') + where +
                                  (shown ? ' (' + shown + ')' : '');
}

function renderBreakers(answer) {
  const rows = (answer.breakers || []).map((b) =>
    el('tr', {}, el('td', { class: 'mono' }, b.service),
       el('td', {}, el('span', { class: 'breaker breaker-' + String(b.state).replace(/[^a-z-]/g, '') }, b.state))));
  replaceChildren(byId('breakers'), rows.length ? rows : [emptyRow(2, 'No breakers registered.')]);
}

function renderDeadLetters(answer) {
  const rows = (answer.dead_letters || []).map((letter) => {
    let button = null;
    if (can('operate')) {  // a read-only caller sees no action it cannot take
      button = el('button', { type: 'button', class: 'retry' }, 'Retry');
      button.addEventListener('click', () => retryDeadLetter(letter.workflow_id, button));
    }
    return el('tr', {},
              el('td', {}, workflowLink(letter.workflow_id)),
              el('td', { class: 'reason' }, letter.reason),
              el('td', { class: 'time' }, formatTime(letter.at_ms)),
              el('td', {}, button));
  });
  replaceChildren(byId('dead-letters'), rows.length ? rows : [emptyRow(4, 'No dead letters.')]);
}

async function retryDeadLetter(id, button) {
  button.disabled = true;
  const result = byId('retry-result');
  try {
    await api(workflowApi(id) + '/retry', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                            body: JSON.stringify(byField()) });
    result.textContent = 'Retried ' + id + '.';
  } catch (e) {
    result.textContent = 'Retry of ' + id + ' failed: ' + e.message;
  }
  refresh();
}

function listingQuery() {
  const query = new URLSearchParams();
  if (listing.status) query.set('status', listing.status);
  if (listing.definition) query.set('definition', listing.definition);
  if (listing.after) query.set('after', listing.after);
  query.set('limit', String(listing.limit));
  return '/v1/workflows?' + query.toString();
}

async function loadOverview() {
  const parts = [
    ['stats', api('/v1/stats'), renderStats],
    ['workflows', api(listingQuery()), renderWorkflows],
    ['breakers', api('/v1/breakers'), renderBreakers],
    ['dead letters', api('/v1/dead-letters'), renderDeadLetters],
  ];
  const results = await Promise.allSettled(parts.map((part) => part[1]));
  const problems = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') parts[i][2](result.value);
    else problems.push(parts[i][0] + ': ' + result.reason.message);
  });
  return problems;
}

function setUpOverviewControls() {
  const select = byId('filter-status');
  for (const status of STATUSES) select.appendChild(el('option', { value: status }, status));
  byId('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    listing.previous = [];
    showListing(byId('filter-status').value, byId('filter-definition').value.trim(), '');
  });
  byId('filter-clear').addEventListener('click', () => {
    listing.previous = [];
    showListing('', '', '');
  });
  byId('page-next').addEventListener('click', () => {
    if (listing.next_after === null) return;
    listing.previous.push(listing.after);
    showListing(listing.status, listing.definition, listing.next_after);
  });
  byId('page-prev').addEventListener('click', () => {
    if (!listing.previous.length) return;
    showListing(listing.status, listing.definition, listing.previous.pop());
  });
  byId('page-first').addEventListener('click', () => {
    listing.previous = [];
    showListing(listing.status, listing.definition, '');
  });
}

// ---- one workflow ----

const ATTEMPT_END = {
  step_completed: 'completed', step_failed: 'failed', step_retrying: 'retrying', step_timed_out: 'timed out',
  step_cancelled: 'cancelled', compensation_completed: 'compensated', compensation_failed: 'failed',
  compensation_retrying: 'retrying',
};
const WAIT_END = {
  signal_taken: 'signal taken', approval_granted: 'approved', approval_rejected: 'rejected',
  wait_timed_out: 'timed out', timer_fired: 'woke up',
};

// Folds the history into one lane per step (in order of first appearance) holding its attempts,
// compensation attempts, waits and notes, plus the workflow-level events.
function buildTimeline(events) {
  const lanes = new Map();
  const workflowEvents = [];
  const lane = (step) => {
    if (!lanes.has(step)) lanes.set(step, { step, items: [], attempts: 0, failures: 0, retries: 0, compensations: 0 });
    return lanes.get(step);
  };
  const openItem = (l, kind) => {
    for (let i = l.items.length - 1; i >= 0; --i) {
      const item = l.items[i];
      if (item.kind === kind && item.end === undefined) return item;
    }
    return null;
  };

  for (const e of events) {
    if (!e.step) { workflowEvents.push(e); continue; }
    const l = lane(e.step);
    const type = e.type;
    if (type === 'step_dispatched' || type === 'step_redispatched' ||
        type === 'compensation_dispatched' || type === 'compensation_redispatched') {
      const kind = type.startsWith('compensation') ? 'compensation' : 'attempt';
      const previous = openItem(l, kind);
      if (previous) { previous.end = e.at_ms; previous.outcome = 'abandoned'; }
      l.items.push({ kind, attempt: e.attempt, start: e.at_ms, redispatched: type.endsWith('redispatched') });
      if (kind === 'attempt') l.attempts += 1; else l.compensations += 1;
    } else if (type in ATTEMPT_END) {
      const kind = type.startsWith('compensation') ? 'compensation' : 'attempt';
      let item = type === 'step_timed_out' ? (openItem(l, 'compensation') || openItem(l, 'attempt')) : openItem(l, kind);
      if (!item) {  // an end without its start (e.g. a cancelled step that never ran)
        item = { kind, attempt: e.attempt, start: e.at_ms };
        l.items.push(item);
      }
      item.end = e.at_ms;
      item.duration = e.duration_ms >= 0 ? e.duration_ms : Math.max(0, e.at_ms - item.start);
      item.outcome = ATTEMPT_END[type];
      item.detail = e.detail;
      if (item.outcome === 'failed' || item.outcome === 'retrying' || item.outcome === 'timed out') l.failures += 1;
      if (item.outcome === 'retrying') l.retries += 1;
    } else if (type === 'signal_waiting' || type === 'approval_waiting' || type === 'timer_started') {
      l.items.push({ kind: type === 'timer_started' ? 'sleep' : type === 'approval_waiting' ? 'approval' : 'wait',
                     start: e.at_ms, detail: e.detail });
    } else if (type in WAIT_END) {
      const item = openItem(l, 'wait') || openItem(l, 'approval') || openItem(l, 'sleep');
      if (item) {
        item.end = e.at_ms;
        item.duration = Math.max(0, e.at_ms - item.start);
        item.outcome = WAIT_END[type];
        item.endDetail = e.detail;
      } else {
        l.items.push({ kind: 'note', start: e.at_ms, text: type.replace(/_/g, ' '), detail: e.detail });
      }
    } else if (type !== 'compensation_started') {  // the compensation's own row shows its start
      l.items.push({ kind: 'note', start: e.at_ms, text: type.replace(/_/g, ' '), detail: e.detail });
    }
  }
  return { lanes: Array.from(lanes.values()), workflowEvents };
}

function outcomeClass(outcome) {
  return 'outcome outcome-' + String(outcome || 'running').replace(/[^a-z]/g, '');
}

function renderTimeline(events, workflowStatus) {
  const { lanes, workflowEvents } = buildTimeline(events);
  const start = events.length ? events[0].at_ms : 0;
  const now = Date.now();
  const live = workflowStatus === 'running' || workflowStatus === 'compensating';
  const durationOf = (item) => item.duration !== undefined ? item.duration : (live ? Math.max(0, now - item.start) : 0);
  let longest = 1;
  for (const l of lanes) for (const item of l.items) if (item.kind !== 'note') longest = Math.max(longest, durationOf(item));

  const offset = (ms) => '+' + formatDuration(Math.max(0, ms - start));
  const bar = (item, cls) => {
    const fill = el('span', { class: 'bar-fill ' + cls });
    fill.style.width = Math.max(1.5, (100 * durationOf(item)) / longest).toFixed(1) + '%';
    return el('span', { class: 'bar' }, fill);
  };

  const lifecycle = el('ol', { class: 'lifecycle' },
    workflowEvents.map((e) => el('li', { class: 'life-' + e.type.replace(/[^a-z_-]/g, '') },
                                 el('span', { class: 'life-type' }, e.type.replace(/_/g, ' ')),
                                 el('span', { class: 'muted' }, ' ' + offset(e.at_ms)),
                                 e.detail ? el('span', { class: 'life-detail' }, ' — ' + e.detail) : null)));

  const laneNodes = lanes.map((l) => {
    const summary = [];
    if (l.attempts) summary.push(l.attempts + (l.attempts === 1 ? ' attempt' : ' attempts'));
    if (l.failures) summary.push(l.failures + (l.failures === 1 ? ' failure' : ' failures'));
    if (l.retries) summary.push(l.retries + (l.retries === 1 ? ' retry' : ' retries'));
    if (l.compensations) summary.push(l.compensations + (l.compensations === 1 ? ' compensation' : ' compensations'));
    const rows = l.items.map((item) => {
      if (item.kind === 'note') {
        return el('div', { class: 'row row-note' },
                  el('span', { class: 'row-label' }, item.text),
                  el('span', { class: 'row-at muted' }, offset(item.start)),
                  el('span', { class: 'row-detail' }, item.detail || ''));
      }
      if (item.kind === 'attempt' || item.kind === 'compensation') {
        const compensation = item.kind === 'compensation';
        return el('div', { class: 'row row-' + item.kind },
                  el('span', { class: 'row-label' },
                     compensation ? '↺ compensation #' + item.attempt : 'attempt #' + item.attempt,
                     item.redispatched ? ' (re-sent)' : ''),
                  el('span', { class: 'row-at muted' }, offset(item.start)),
                  bar(item, compensation ? 'fill-compensation' : 'fill-' + String(item.outcome || 'running').replace(/[^a-z]/g, '')),
                  el('span', { class: 'row-duration' }, item.outcome ? formatDuration(durationOf(item)) : 'running'),
                  el('span', { class: outcomeClass(item.outcome) }, item.outcome || 'running'),
                  el('span', { class: 'row-detail' }, item.detail || ''));
      }
      const label = item.kind === 'sleep' ? 'sleep' : item.kind === 'approval' ? 'approval' : 'wait';
      return el('div', { class: 'row row-wait' },
                el('span', { class: 'row-label' }, label),
                el('span', { class: 'row-at muted' }, offset(item.start)),
                bar(item, 'fill-wait'),
                el('span', { class: 'row-duration' }, formatDuration(durationOf(item))),
                el('span', { class: outcomeClass(item.outcome || 'waiting') }, item.outcome || 'waiting'),
                el('span', { class: 'row-detail' }, [item.detail, item.endDetail].filter(Boolean).join(' → ')));
    });
    const compensated = l.compensations > 0;
    return el('div', { class: 'lane' + (compensated ? ' lane-compensated' : ''), 'data-step': l.step },
              el('div', { class: 'lane-head' },
                 el('span', { class: 'lane-step mono' }, l.step),
                 compensated ? el('span', { class: 'tag tag-compensation' }, 'compensated step') : null,
                 el('span', { class: 'muted' }, summary.join(' · '))),
              rows);
  });

  const children = [lifecycle].concat(laneNodes.length ? laneNodes : [el('p', { class: 'muted' }, 'No steps have run yet.')]);
  replaceChildren(byId('timeline'), children);
}

function renderHistory(events) {
  byId('history-summary').textContent = events.length + (events.length === 1 ? ' event' : ' events');
  const rows = events.map((e) =>
    el('tr', {},
       el('td', {}, e.seq),
       el('td', { class: 'time' }, formatTime(e.at_ms)),
       el('td', { class: 'mono' }, e.type),
       el('td', { class: 'mono' }, e.step || ''),
       el('td', {}, e.attempt ? e.attempt : ''),
       el('td', {}, e.from || e.to ? (e.from || '·') + ' → ' + (e.to || '·') : ''),
       el('td', {}, e.duration_ms >= 0 ? formatDuration(e.duration_ms) : ''),
       el('td', { class: 'reason' }, e.detail || '')));
  replaceChildren(byId('history'), rows);
}

let shownWorkflow = '';  // what the workflow view shows now, to skip redrawing the same answer

// {} with a token (the node records the token's name as `by`), else who acts: the dashboard.
function byField() { return auth.caller && auth.caller.authenticated ? {} : { by: 'dashboard' }; }

// The approvals still waiting for a decision: [{step, signal}], from the history.
function openApprovals(events) {
  const open = new Map();
  for (const e of events) {
    if (e.type === 'approval_waiting') {
      const match = /^signal '([^']+)'/.exec(e.detail || '');
      if (match) open.set(e.step, match[1]);
    } else if (e.type === 'approval_granted' || e.type === 'approval_rejected' || e.type === 'wait_timed_out' ||
               e.type === 'step_cancelled') {
      open.delete(e.step);
    }
  }
  return Array.from(open, ([step, signal]) => ({ step, signal }));
}

async function act(id, what, path, body) {
  const result = byId('action-result');
  for (const button of byId('wf-action-buttons').querySelectorAll('button')) button.disabled = true;
  try {
    await api(workflowApi(id) + path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
                                         body: JSON.stringify(Object.assign(byField(), body)) });
    result.textContent = what + ': sent.';
  } catch (e) {
    result.textContent = what + ' failed: ' + e.message;
  }
  shownWorkflow = '';
  refresh();
}

// Approve / reject each open approval and cancel a live workflow: only for a caller whose role
// allows them (operate); for anyone else the panel is not there at all.
function renderActions(id, info, events) {
  const live = info.status === 'running' || info.status === 'compensating';
  const buttons = [];
  if (can('operate') && live) {
    for (const gate of openApprovals(events)) {
      const approve = el('button', { type: 'button', class: 'approve', 'data-signal': gate.signal }, 'Approve');
      approve.addEventListener('click', () => act(id, 'Approve ' + gate.signal,
                                                  '/signals/' + encodeURIComponent(gate.signal), { decision: 'approve' }));
      const reject = el('button', { type: 'button', class: 'reject secondary', 'data-signal': gate.signal }, 'Reject');
      reject.addEventListener('click', () => act(id, 'Reject ' + gate.signal,
                                                 '/signals/' + encodeURIComponent(gate.signal), { decision: 'reject' }));
      buttons.push(el('span', { class: 'gate' }, gate.signal), approve, reject);
    }
    if (info.status === 'running') {
      const cancel = el('button', { type: 'button', class: 'cancel secondary' }, 'Cancel workflow');
      cancel.addEventListener('click', () => act(id, 'Cancel', '/cancel', { reason: 'cancelled from the dashboard' }));
      buttons.push(cancel);
    }
  }
  replaceChildren(byId('wf-action-buttons'), buttons);
  byId('wf-actions').hidden = buttons.length === 0;
}

async function loadWorkflow(id) {
  const [info, history] = await Promise.all([api(workflowApi(id)), api(workflowApi(id) + '/history')]);
  const events = history.events || [];
  const answer = JSON.stringify([info, events]);
  const live = info.status === 'running' || info.status === 'compensating';
  if (answer === shownWorkflow && !live) return [];
  shownWorkflow = answer;

  document.title = id + ' · Actorflow';
  byId('wf-id').textContent = id;
  replaceChildren(byId('wf-status'), [statusBadge(info.status)]);
  const facts = [['Definition', info.definition + ' v' + info.version], ['Restarts', info.restarts],
                 ['Started', events.length ? formatTime(events[0].at_ms) : ''],
                 ['Last event', events.length ? formatTime(events[events.length - 1].at_ms) : '']];
  replaceChildren(byId('wf-facts'), facts.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]));
  const error = byId('wf-error');
  error.textContent = info.error ? 'Error: ' + info.error : '';
  error.hidden = !info.error;
  byId('wf-data').textContent = JSON.stringify(info.data, null, 2);
  renderActions(id, info, events);
  renderTimeline(events, info.status);
  renderHistory(events);
  return [];
}

// ---- routing and refresh ----

// The view the URL's fragment names: {view: 'overview', params} or {view: 'workflow', id}.
function route() {
  const hash = location.hash || '#/';
  const prefix = '#/workflows/';
  if (hash.startsWith(prefix)) {
    try {
      return { view: 'workflow', id: decodeURIComponent(hash.slice(prefix.length)) };
    } catch (e) {
      return { view: 'bad', problem: 'The address holds a malformed workflow id: ' + hash.slice(prefix.length) };
    }
  }
  const query = hash.indexOf('?');
  return { view: 'overview', params: new URLSearchParams(query < 0 ? '' : hash.slice(query + 1)) };
}

let refreshing = null;

async function refreshNow() {
  if (!auth.caller && ((auth.required && !auth.token) || !(await identify()))) {
    showSignIn();
    return;
  }
  byId('login-view').hidden = true;
  const where = route();
  byId('overview-view').hidden = where.view !== 'overview';
  byId('workflow-view').hidden = where.view !== 'workflow';
  let problems = [];
  try {
    if (where.view === 'overview') {
      document.title = 'Actorflow dashboard';
      readListing(where.params, location.hash);
      problems = await loadOverview();
    } else if (where.view === 'workflow') {
      problems = await loadWorkflow(where.id);
    } else {
      problems = [where.problem];
    }
  } catch (e) {
    if (where.view === 'workflow') {
      byId('workflow-view').hidden = true;
      shownWorkflow = '';
    }
    problems = [e.status === 404 && where.id !== undefined ? 'No workflow ' + where.id + ' on this node.' : e.message];
  }
  showProblem(problems.join('\n'));
  markRefreshed();
}

// ---- signing in ----

// Asks the node who the page is (with the token, if there is one); true when it answered.
async function identify() {
  try {
    auth.caller = await api('/v1/whoami');
  } catch (e) {
    auth.caller = null;
    if (e.status !== 401) showProblem(e.message);
    return false;
  }
  const shown = auth.caller.authenticated ? auth.caller.name + ' (' + auth.caller.role + ')'
                                          : 'no token needed (' + auth.caller.role + ')';
  byId('whoami').textContent = shown;
  byId('logout').hidden = !auth.caller.authenticated;
  byId('identity').hidden = false;
  shownWorkflow = '';
  return true;
}

function showSignIn() {
  byId('overview-view').hidden = true;
  byId('workflow-view').hidden = true;
  byId('identity').hidden = true;
  byId('login-view').hidden = false;
  showProblem('');
}

// Forgets the token (logout, or the node refused it: `why`) and shows the sign-in form.
function signOut(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  auth.token = null;
  auth.caller = null;
  shownWorkflow = '';
  replaceChildren(byId('workflows'), []);
  replaceChildren(byId('dead-letters'), []);
  replaceChildren(byId('wf-action-buttons'), []);
  const error = byId('login-error');
  error.textContent = why || '';
  error.hidden = !why;
  showSignIn();
}

function setUpSignIn() {
  byId('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId('login-token');
    const token = input.value.trim();
    input.value = '';
    if (!token) return;
    auth.token = token;
    if (await identify()) {
      sessionStorage.setItem(TOKEN_KEY, token);
      byId('login-error').hidden = true;
      refresh();
    } else if (auth.token) {
      signOut('The node did not accept this token.');
    }
  });
  byId('logout').addEventListener('click', () => signOut(''));
}

// One refresh at a time; a refresh asked for during one runs right after it.
function refresh() {
  if (refreshing) {
    refreshing.again = true;
    return;
  }
  refreshing = { again: false };
  refreshNow().finally(() => {
    const again = refreshing.again;
    refreshing = null;
    if (again) refresh();
  });
}

function start() {
  setUpOverviewControls();
  setUpSignIn();
  window.addEventListener('hashchange', () => {
    shownWorkflow = '';
    refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', start);
