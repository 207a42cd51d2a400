// The map page: layers with legend and toggles; assess a clicked point, a drawn parcel,
// pasted coordinates or a searched name; rank many candidates; make a printable report.

import * as maplibregl from '/map/lib/maplibre-gl/maplibre-gl.mjs';
import { t, applyStatic, toggleLang, onLangChange } from './i18n.js';
import { KINDS, kindInfo, addKind, legendRows, classLabel, escapeHtml as h } from './layers.js';
import { renderReport, verdictLabel } from './report.js';
import { addBasemap, createPageMap } from './basemap.js';

const $ = (id) => document.getElementById(id);
const state = {
  config: null,
  layers: {},        // kind → /api/layers entry
  data: {},          // kind → map GeoJSON
  layerIds: {},      // kind → MapLibre layer ids
  lastSite: null,    // GeoJSON Feature last assessed
  lastReport: null,
  ranked: [],        // reports in rank order
  rankBody: null,    // { body, type } of the last batch, for export
  sort: { key: 'rank', dir: 1 },
};

async function getJson(url, init) {
  const r = await fetch(url, init);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body?.detail ?? `${r.status} ${r.statusText}`);
  return body;
}

// ------------------------------------------------------------------ map

const map = createPageMap('map');

let draw = null;

function setupDraw() {
  const MapboxDraw = window.MapboxDraw;
  const c = MapboxDraw.constants.classes;
  c.CANVAS = 'maplibregl-canvas';
  c.CONTROL_BASE = 'maplibregl-ctrl';
  c.CONTROL_PREFIX = 'maplibregl-ctrl-';
  c.CONTROL_GROUP = 'maplibregl-ctrl-group';
  c.ATTRIBUTION = 'maplibregl-ctrl-attrib';
  draw = new MapboxDraw({ displayControlsDefault: false, controls: {}, defaultMode: 'simple_select' });
  map.addControl(draw, 'top-left');
  map.on('draw.create', (e) => {
    const feature = e.features[0];
    draw.deleteAll();
    $('draw-hint').hidden = true;
    assessSite({ type: 'Feature', properties: {}, geometry: feature.geometry });
  });
  map.on('draw.modechange', (e) => {
    if (e.mode !== 'draw_polygon') $('draw-hint').hidden = true;
  });
}

function drawing() {
  return draw && draw.getMode() === 'draw_polygon';
}

function siteLayers() {
  map.addSource('site', { type: 'geojson', data: empty() });
  map.addSource('nearest', { type: 'geojson', data: empty() });
  map.addSource('ranked', { type: 'geojson', data: empty() });
  map.addLayer({ id: 'nearest-line', type: 'line', source: 'nearest',
    paint: { 'line-color': '#1c7ed6', 'line-width': 2, 'line-dasharray': [2, 1.5] } });
  map.addLayer({ id: 'site-fill', type: 'fill', source: 'site', filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': '#1c7ed6', 'fill-opacity': 0.25 } });
  map.addLayer({ id: 'site-line', type: 'line', source: 'site', filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'line-color': '#1c3f95', 'line-width': 3 } });
  map.addLayer({ id: 'ranked-circle', type: 'circle', source: 'ranked',
    paint: {
      'circle-radius': 8,
      'circle-color': ['match', ['get', 'verdict'], 'buildable', '#2b8a3e', 'conditional', '#e67700', 'not_buildable', '#c92a2a', '#868e96'],
      'circle-stroke-color': '#fff', 'circle-stroke-width': 2,
    } });
  map.addLayer({ id: 'site-point', type: 'circle', source: 'site', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 8, 'circle-color': '#1c7ed6', 'circle-stroke-color': '#fff', 'circle-stroke-width': 3 } });
}

const empty = () => ({ type: 'FeatureCollection', features: [] });

async function loadLayers() {
  const info = await getJson('/api/layers');
  for (const l of info.layers) state.layers[l.kind] = l;
  const loaded = KINDS.filter((k) => state.layers[k.kind]);
  const data = await Promise.all(loaded.map((k) => getJson(`/api/map/${k.kind}`)));
  loaded.forEach((k, i) => {
    state.data[k.kind] = data[i];
    state.layerIds[k.kind] = addKind(map, k, data[i], 'nearest-line');
  });
  const bbox = info.layers.map((l) => l.bbox).filter(Boolean);
  if (bbox.length) {
    const b = bbox.reduce((a, c) => [Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[2], c[2]), Math.max(a[3], c[3])]);
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 20, animate: false });
  }
  renderLegend();
  fillSearch();
  document.body.dataset.layersLoaded = String(loaded.length);
}

function renderLegend() {
  $('legend').innerHTML = KINDS.map((k) => {
    const l = state.layers[k.kind];
    const title = h(t(`kind_${k.kind}`));
    if (!l) return `<div class="legend-item missing"><span>${title}</span> <span class="small">(${h(t('not_loaded'))})</span></div>`;
    const visible = map.getLayoutProperty(state.layerIds[k.kind][0], 'visibility') !== 'none';
    return `<div class="legend-item">
      <label><input type="checkbox" data-kind="${k.kind}" ${visible ? 'checked' : ''}> <strong>${title}</strong></label>
      <div class="small src">${h(l.source)} · ${h(l.publisher)} · ${h(l.date)} · ${l.feature_count} ${h(t('features_count'))}</div>
      <ul class="legend-classes">${legendRows(k, state.data[k.kind])}</ul></div>`;
  }).join('') + `<div class="legend-item"><strong>${h(t('site_layer'))}</strong><ul class="legend-classes">
    <li><span class="swatch box" style="background:#1c7ed6"></span>${h(t('legend_site'))}</li></ul></div>`;
  for (const box of $('legend').querySelectorAll('input[type=checkbox]')) {
    box.addEventListener('change', () => {
      for (const id of state.layerIds[box.dataset.kind]) map.setLayoutProperty(id, 'visibility', box.checked ? 'visible' : 'none');
    });
  }
}

// Popups on the layers (the class label in the current language, name, value).
function setupPopups() {
  const queryable = () => Object.values(state.layerIds).flat().filter((id) => id.endsWith('-circle') || id.endsWith('-fill'));
  map.on('mousemove', (e) => {
    if (drawing()) return;
    const hit = map.queryRenderedFeatures(e.point, { layers: queryable() }).length > 0;
    map.getCanvas().style.cursor = hit ? 'pointer' : 'crosshair';
  });
  map.on('contextmenu', (e) => {
    const hits = map.queryRenderedFeatures(e.point, { layers: queryable() });
    if (!hits.length) return;
    const html = hits.slice(0, 6).map((f) => {
      const kind = f.source.replace(/^k-/, '');
      const p = f.properties;
      return `<div><strong>${h(t(`kind_${kind}`))}</strong>: ${h(classLabel(kindInfo(kind), p.class))}${p.name ? ` — ${h(p.name)}` : ''}${p.value ? ` (${h(p.value)})` : ''}</div>`;
    }).join('');
    new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  });
}

// ------------------------------------------------------------------ assess

function showStatus(msg, error = false) {
  const el = $('status');
  el.textContent = msg;
  el.classList.toggle('error', error);
}

function selectTab(name) {
  for (const tab of ['assess', 'rank', 'layers']) {
    $(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    $(`pane-${tab}`).hidden = tab !== name;
  }
}

async function assessSite(feature) {
  selectTab('assess');
  showStatus(t('working'));
  try {
    // A bare point is answered by GET; a feature with a name or id is posted so they are echoed.
    const isPoint = feature.geometry.type === 'Point' && !Object.keys(feature.properties ?? {}).length;
    const report = isPoint
      ? await getJson(`/api/assess?lon=${feature.geometry.coordinates[0]}&lat=${feature.geometry.coordinates[1]}`)
      : await getJson('/api/assess', {
        method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: JSON.stringify(feature),
      });
    state.lastSite = feature;
    showReport(report);
    showStatus('');
  } catch (err) {
    showStatus(`${t('error_prefix')}: ${err.message}`, true);
  }
}

function showReport(report) {
  state.lastReport = report;
  $('report').innerHTML = renderReport(report);
  $('report').dataset.verdict = report.error ? 'error' : report.buildability.verdict;
  $('report-actions').hidden = !!report.error;
  $('permalink').hidden = true;
  const geom = report.site.geometry ?? state.lastSite?.geometry;
  map.getSource('site').setData(geom ? { type: 'Feature', properties: {}, geometry: geom } : empty());
  const from = report.site.anchor;
  const lines = (report.facilities?.nearest ?? []).filter((n) => n.location && from).map((n) => ({
    type: 'Feature', properties: { name: n.name, distance_m: n.distance_m },
    geometry: { type: 'LineString', coordinates: [from, n.location] },
  }));
  map.getSource('nearest').setData({ type: 'FeatureCollection', features: lines });
}

function parseCoords(text) {
  const pairs = text.split(/\n|;/).map((l) => l.trim()).filter(Boolean).map((l) => l.split(/[\s,、，]+/).map(Number));
  if (!pairs.length || pairs.some((p) => p.length !== 2 || p.some((x) => !Number.isFinite(x)))) return null;
  if (pairs.length === 1) return { type: 'Point', coordinates: pairs[0] };
  if (pairs.length < 3) return null;
  const ring = pairs.slice();
  const [a, z] = [ring[0], ring[ring.length - 1]];
  if (a[0] !== z[0] || a[1] !== z[1]) ring.push(a);
  return { type: 'Polygon', coordinates: [ring] };
}

function fillSearch() {
  const options = [];
  for (const kind of ['facility', 'daily_life_area']) {
    for (const f of state.data[kind]?.features ?? []) if (f.properties.name) options.push(f.properties.name);
  }
  $('search-list').innerHTML = [...new Set(options)].map((n) => `<option value="${h(n)}">`).join('');
}

function ringCentre(geometry) {
  const rings = geometry.type === 'Polygon' ? [geometry.coordinates[0]] : geometry.coordinates.map((p) => p[0]);
  const pts = rings.flat();
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return { bounds: [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]] };
}

function search(q) {
  q = q.trim();
  if (!q) return;
  const find = (kind) => state.data[kind]?.features.find((f) => f.properties.name === q)
    ?? state.data[kind]?.features.find((f) => f.properties.name?.includes(q));
  const facility = find('facility');
  if (facility) {
    map.flyTo({ center: facility.geometry.coordinates, zoom: 15 });
    assessSite({ type: 'Feature', properties: { name: facility.properties.name }, geometry: facility.geometry });
    return;
  }
  const area = find('daily_life_area');
  if (area) {
    // The area itself is assessed as a site: its zoning, hazards and facilities at once.
    map.fitBounds(ringCentre(area.geometry).bounds, { padding: 30 });
    assessSite({ type: 'Feature', properties: { name: area.properties.name }, geometry: area.geometry });
    return;
  }
  showStatus(t('search_none'), true);
}

async function makePrintable() {
  if (!state.lastSite) return;
  try {
    const stored = await getJson('/api/results', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: state.lastSite }),
    });
    const link = $('permalink');
    link.href = `${stored.url}?lang=${document.documentElement.lang}`;
    link.textContent = `${t('permalink')}: ${location.origin}${stored.url}`;
    link.hidden = false;
    window.open(link.href, '_blank', 'noopener');
  } catch (err) {
    showStatus(`${t('error_prefix')}: ${err.message}`, true);
  }
}

// ------------------------------------------------------------------ rank

const COLUMNS = [
  ['rank', 'col_rank', (r, i) => r.rank ?? i + 1],
  ['id', 'col_id', (r) => r.site.id],
  ['name', 'col_name', (r) => r.site.name ?? ''],
  ['verdict', 'col_verdict', (r) => (r.error ? 9 : ['buildable', 'conditional', 'unknown', 'not_buildable'].indexOf(r.buildability.verdict))],
  ['hazard', 'col_hazard', (r) => r.summary?.hazard_total ?? -1],
  ['area', 'col_area', (r) => r.daily_life_area?.name ?? ''],
  ['open', 'col_open', (r) => (r.summary?.open_area == null ? 2 : r.summary.open_area ? 0 : 1)],
  ['nearest', 'col_nearest', (r) => r.summary?.nearest_distance_m ?? -1],
  ['close', 'col_close', (r) => (r.summary?.too_close == null ? 2 : r.summary.too_close ? 1 : 0)],
];

function cell(key, r, i) {
  const s = r.summary;
  switch (key) {
    case 'rank': return String(r.rank ?? i + 1);
    case 'id': return h(r.site.id);
    case 'name': return h(r.site.name ?? '');
    case 'verdict': return r.error ? `<span class="pill v-bad">${h(t('verdict_error'))}</span> <span class="small">${h(r.error.message)}</span>`
      : `<span class="pill ${({ buildable: 'v-ok', conditional: 'v-warn', not_buildable: 'v-bad' })[r.buildability.verdict] ?? 'v-unknown'}">${h(verdictLabel(r.buildability.verdict))}</span>`;
    case 'hazard': return s ? `${s.hazard_total ?? '—'}/${s.hazard_max}${s.hazard_status === 'partial' ? '*' : ''}` : '—';
    case 'area': return h(r.daily_life_area?.name ?? '—');
    case 'open': return s ? (s.open_area == null ? t('unknown') : s.open_area ? '○' : '×') : '—';
    case 'nearest': return s?.nearest_distance_m != null ? Math.round(s.nearest_distance_m).toLocaleString() : '—';
    case 'close': return s ? (s.too_close == null ? t('unknown') : s.too_close ? t('yes') : t('no')) : '—';
    default: return '';
  }
}

/** Rows drawn in the table; every site is on the map and in the exports. */
const TABLE_ROWS = 1000;

function renderRankTable() {
  const table = $('rank-table');
  const { key, dir } = state.sort;
  const col = COLUMNS.find((c) => c[0] === key);
  const rows = state.ranked.map((r, i) => [r, i]);
  rows.sort((a, b) => {
    const x = col[2](a[0], a[1]);
    const y = col[2](b[0], b[1]);
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'ja')) * dir || a[1] - b[1];
  });
  const caption = rows.length > TABLE_ROWS ? `<caption>${h(t('rank_truncated', { n: TABLE_ROWS, total: rows.length }))}</caption>` : '';
  table.innerHTML = `${caption}<thead><tr>${COLUMNS.map(([k, label]) => `<th aria-sort="${k === key ? (dir > 0 ? 'ascending' : 'descending') : 'none'}"><button type="button" data-sort="${k}">${h(t(label))}${k === key ? (dir > 0 ? ' ▲' : ' ▼') : ''}</button></th>`).join('')}</tr></thead>
    <tbody>${rows.slice(0, TABLE_ROWS).map(([r, i]) => `<tr tabindex="0" data-index="${i}">${COLUMNS.map(([k]) => `<td>${cell(k, r, i)}</td>`).join('')}</tr>`).join('')}</tbody>`;
  table.hidden = false;
}

function rankedToMap() {
  const features = state.ranked.filter((r) => r.site.anchor).map((r, i) => ({
    type: 'Feature', properties: { index: i, verdict: r.error ? 'error' : r.buildability.verdict },
    geometry: { type: 'Point', coordinates: r.site.anchor },
  }));
  map.getSource('ranked').setData({ type: 'FeatureCollection', features });
  if (features.length) {
    const xs = features.map((f) => f.geometry.coordinates[0]);
    const ys = features.map((f) => f.geometry.coordinates[1]);
    map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 40, maxZoom: 15 });
  }
}

function openRanked(i) {
  const r = state.ranked[i];
  if (!r) return;
  for (const tr of $('rank-table').querySelectorAll('tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.index) === i);
  if (r.site.geometry) state.lastSite = { type: 'Feature', properties: { site_id: r.site.id, name: r.site.name }, geometry: r.site.geometry };
  if (r.site.anchor) map.flyTo({ center: r.site.anchor, zoom: Math.max(map.getZoom(), 14) });
  // The report opens in the assessment tab; the ranked table stays as it was behind its tab.
  selectTab('assess');
  showReport(r);
}

function batchBody() {
  const text = $('rank-input').value.trim();
  if (!text) return null;
  return { body: text, type: text.startsWith('{') ? 'application/geo+json' : 'text/csv' };
}

async function rank() {
  const input = batchBody();
  if (!input) return;
  state.rankBody = input;
  state.ranked = [];
  const progress = $('rank-progress');
  const status = $('rank-status');
  status.classList.remove('error');
  $('rank-export').hidden = true;
  try {
    const r = await fetch('/api/assess/batch?rank=true', {
      method: 'POST', headers: { 'content-type': input.type, accept: 'application/x-ndjson' }, body: input.body,
    });
    if (!r.ok) {
      const p = await r.json().catch(() => null);
      throw new Error(p?.detail ?? `${r.status}`);
    }
    const total = Number(r.headers.get('x-tekichi-sites')) || 0;
    const rejected = Number(r.headers.get('x-tekichi-rejected')) || 0;
    // Ranked, the server scores every site before the first line: indeterminate until then.
    progress.max = Math.max(total, 1);
    progress.removeAttribute('value');
    progress.hidden = false;
    status.textContent = t('rank_progress', { done: 0, total });
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += value;
      const lines = buffer.split('\n');
      buffer = done ? '' : lines.pop();
      for (const line of lines) if (line.trim()) state.ranked.push(JSON.parse(line));
      progress.value = state.ranked.length;
      status.textContent = t('rank_progress', { done: state.ranked.length, total });
      if (done) break;
    }
    state.ranked.forEach((rep, i) => { rep.rank = i + 1; });
    status.textContent = t('rank_done', { total: state.ranked.length, rejected });
    state.sort = { key: 'rank', dir: 1 };
    renderRankTable();
    rankedToMap();
    $('rank-export').hidden = false;
  } catch (err) {
    status.textContent = `${t('error_prefix')}: ${err.message}`;
    status.classList.add('error');
  } finally {
    progress.hidden = true;
  }
}

async function exportRanked(accept, ext) {
  const input = state.rankBody;
  if (!input) return;
  const r = await fetch('/api/assess/batch?rank=true', {
    method: 'POST', headers: { 'content-type': input.type, accept }, body: input.body,
  });
  const blob = await r.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `tekichi-ranked.${ext}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ------------------------------------------------------------------ wiring

function wire() {
  $('lang').addEventListener('click', toggleLang);
  onLangChange(() => {
    renderLegend();
    if (state.lastReport) $('report').innerHTML = renderReport(state.lastReport);
    if (state.ranked.length) renderRankTable();
    if (state.basemapNote) $('basemap-note').textContent = t(state.basemapNote);
  });
  for (const tab of ['assess', 'rank', 'layers']) $(`tab-${tab}`).addEventListener('click', () => selectTab(tab));
  $('panel').querySelector('.tabs').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const tabs = [...e.currentTarget.querySelectorAll('[role=tab]')];
    const i = tabs.indexOf(document.activeElement);
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });
  $('draw').addEventListener('click', () => {
    draw.deleteAll();
    draw.changeMode('draw_polygon');
    $('draw-hint').hidden = false;
  });
  $('coords-go').addEventListener('click', () => {
    const geometry = parseCoords($('coords').value);
    if (!geometry) {
      showStatus(`${t('error_prefix')}: ${t('paste_label')}`, true);
      return;
    }
    assessSite({ type: 'Feature', properties: {}, geometry });
  });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    search($('search-q').value);
  });
  $('print').addEventListener('click', makePrintable);
  $('rank-go').addEventListener('click', rank);
  $('rank-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const bytes = await file.arrayBuffer();
    // CSV files from Japanese Excel are often Shift_JIS: the server decodes either.
    let text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD')) text = new TextDecoder('shift_jis').decode(bytes);
    $('rank-input').value = text;
  });
  $('export-csv').addEventListener('click', () => exportRanked('text/csv', 'csv'));
  $('export-geojson').addEventListener('click', () => exportRanked('application/geo+json', 'geojson'));
  $('rank-table').addEventListener('click', (e) => {
    const sort = e.target.closest('button[data-sort]');
    if (sort) {
      const key = sort.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      renderRankTable();
      return;
    }
    const tr = e.target.closest('tbody tr');
    if (tr) openRanked(Number(tr.dataset.index));
  });
  $('rank-table').addEventListener('keydown', (e) => {
    const tr = e.target.closest('tbody tr');
    if (tr && e.key === 'Enter') openRanked(Number(tr.dataset.index));
  });
  map.on('click', (e) => {
    if (drawing()) return;
    const ranked = map.queryRenderedFeatures(e.point, { layers: ['ranked-circle'] });
    if (ranked.length) {
      selectTab('rank');
      openRanked(ranked[0].properties.index);
      return;
    }
    assessSite({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [e.lngLat.lng, e.lngLat.lat] } });
  });
}

async function start() {
  applyStatic();
  wire();
  state.config = await getJson('/api/ui-config');
  $('dataset').textContent = state.config.dataset;
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));
  addBasemap(map, state.config, (key) => {
    state.basemapNote = key;
    const note = $('basemap-note');
    note.textContent = t(key);
    note.hidden = false;
    document.body.dataset.basemap = key === 'basemap_none' ? 'none' : 'unavailable';
  });
  setupDraw();
  siteLayers();
  await loadLayers();
  setupPopups();
  map.getCanvas().style.cursor = 'crosshair';
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

start().catch((err) => {
  showStatus(`${t('error_prefix')}: ${err.message}`, true);
  console.error(err);
});

