// 計画分析 (planner analytics, issue 7): the daily-life-area choropleth with its sortable
// table (/api/areas), the suitability grid with the best places in open areas
// (/api/suitability), and the what-if panel — a changed rubric against candidates
// (/api/whatif) and the nearest passing place of a failing site (/api/whatif/nearest).
// Every number shown is the server's; the page only joins, sorts and colours.

import { t, pick, applyStatic, toggleLang, onLangChange, extend } from './i18n.js';
import { kindInfo, addKind, escapeHtml as h } from './layers.js';
import { renderReport, verdictLabel } from './report.js';
import { addBasemap, createPageMap } from './basemap.js';

extend({
  ja: {
    an_title: '計画分析 — どこに次の事業所を置くか',
    back_to_map_page: '地図（候補地評価）へ',
    an_tab_coverage: '圏域の整備状況',
    an_tab_suitability: '適地マップ',
    an_tab_whatif: 'もしも比較',
    an_coverage_help: '日常生活圏域（中学校区）ごとの既存事業所・登録定員・推計需要と不足。列名で並べ替え、行を選ぶと地図がその圏域へ移ります。',
    an_coverage_note: '不足 = 推計需要 − 登録定員（人、正は不足）。定員不明の事業所は数えず、その圏域の不足は上限値（≦）です。',
    an_colour_by: '塗り分け',
    an_mode_gap: '不足（需要−登録定員）',
    an_mode_open: '募集圏域／整備済み',
    an_col_area: '圏域',
    an_col_facilities: '事業所',
    an_col_capacity: '登録定員',
    an_col_demand: '推計需要',
    an_col_gap: '不足',
    an_col_open: '募集',
    an_totals: '全 {areas} 圏域・募集圏域 {open}・事業所 {facilities}・登録定員 {capacity} 人・推計需要 {demand} 人・不足の合計 {shortfall} 人',
    an_capacity_unknown: '定員不明 {n}',
    an_cov_whatif: 'もしも比較の需要設定（人口1万人あたり {rate} 人）で表示しています。',
    an_legend_gap: '不足（人）',
    an_legend_surplus: '余裕',
    an_legend_shortfall: '不足',
    an_legend_no_demand: '需要不明（人口データなし）',
    an_legend_areas: '日常生活圏域',
    an_suit_help: '格子の各セルの中心を1地点として評価した適地マップです。募集圏域内で「不適」でない地点から、互いに最小間隔以上離れた上位の地点を順に示します。',
    an_cell: 'セルの大きさ',
    an_by_verdict: '判定',
    an_by_hazard: 'ハザード評価点',
    an_best_n: '上位の地点数',
    an_use_whatif: 'もしも比較の設定で計算する',
    an_suit_go: '適地マップを表示',
    an_suit_working: '計算中…',
    an_suit_done: '{cells} セル（{cell} m）を評価しました{cache}。上位 {best} 地点。',
    an_cache_hit: '（キャッシュ）',
    an_best_title: '募集圏域内の上位地点',
    an_best_none: '条件を満たす地点がありません。',
    an_nearest_m: '最寄り事業所 {d} m',
    an_open_report: '詳しい報告書を開く（固定リンク）',
    an_place_title: '地点 {rank}',
    an_legend_hazard: 'ハザード評価点（{max} 点満点）',
    an_legend_best: '上位地点',
    an_legend_cells: '適地マップ（セル）',
    an_whatif_help: '評価基準の値を変えて、候補地の判定と圏域の整備状況がどう変わるかを比べます（評価基準のファイルは変わりません）。',
    an_min_spacing: '最小間隔 (m)',
    an_radius: '半径 (m)',
    an_phenomena: '対象とする土砂災害の現象',
    an_ph_steep_slope: '急傾斜地の崩壊',
    an_ph_debris_flow: '土石流',
    an_ph_landslide: '地すべり',
    an_flood_bands: '洪水の深さ区分と点数',
    an_demand_rate: '需要（人口1万人あたり）',
    an_candidates: '候補地（GeoJSON または CSV）',
    an_use_best: '上位地点を候補地にする',
    an_use_city: '市の候補地を読み込む',
    an_city_loaded: 'データの候補地 {n} 件を読み込みました。',
    an_city_rejected: '（読めない {n} 件は除外）',
    an_city_none: 'このデータには候補地ファイルがありません。貼り付けるか、ファイルを選んでください。',
    an_changed_only: '変わる候補地だけ表示',
    an_whatif_go: '比較する',
    an_reset: '評価基準の値に戻す',
    an_no_sites: '候補地を貼り付けるか、ファイルを選んでください。',
    an_no_overrides: '評価基準の値のままです（変更なし）。',
    an_whatif_done: '{sites} 件中 {changed} 件の候補地が変わります（{rubric}、変更: {overrides}）。',
    an_col_id: 'ID',
    an_col_name: '名称',
    an_col_verdict: '判定',
    an_col_hazard: 'ハザード',
    an_col_close: '近すぎ',
    an_col_changed: '変わる項目',
    an_col_nearest_pass: '最寄りの合格地点',
    an_find: '探す',
    an_areas_changed: '整備状況が変わる圏域',
    an_areas_unchanged: '圏域の整備状況は変わりません（需要の設定を変えると変わります）。',
    an_field_verdict: '判定',
    an_field_hazard_total: 'ハザード合計',
    an_field_hazard_status: 'ハザードの状態',
    an_field_too_close: '最小間隔',
    an_field_area_id: '圏域',
    an_field_open_area: '募集圏域',
    an_field_demand: '需要',
    an_field_gap: '不足',
    an_field_open_for_application: '募集圏域',
    an_field_capacity: '登録定員',
    an_field_facilities: '事業所数',
    an_nearest_help: '表の「探す」か、このタブで地図をクリックすると、その地点が基準（適・最小間隔）を満たさない理由と、満たす最寄りの地点を示します。',
    an_search_radius: '探索半径 (m)',
    an_nearest_working: '探しています…',
    an_passes: 'この地点は基準を満たします。',
    an_fails_because: '満たさない理由',
    an_found: '{d} m 先（{bearing}）に基準を満たす地点があります：{verdict}、ハザード {hazard}、最寄り事業所 {nearest} m。',
    an_not_found: '半径 {r} m 以内に基準を満たす地点はありません（{tried} 地点を評価）。',
    an_legend_candidates: '候補地（変更後の判定、太枠は変わるもの）',
    an_legend_nearest: '合格する最寄りの地点と線',
    an_changed_ring: '変わる候補地',
  },
  en: {
    an_title: 'Planner analytics — where should the next facility go',
    back_to_map_page: 'Map (site check)',
    an_tab_coverage: 'Area coverage',
    an_tab_suitability: 'Suitability map',
    an_tab_whatif: 'What-if',
    an_coverage_help: 'Per daily-life area (junior-high district): existing facilities, registration capacity, estimated demand and the gap. Sort by a column; choosing a row moves the map there.',
    an_coverage_note: 'Gap = estimated demand − capacity (persons; positive = shortfall). Facilities of unknown capacity add nothing; such an area\'s gap is an upper bound (≤).',
    an_colour_by: 'Colour by',
    an_mode_gap: 'Gap (demand − capacity)',
    an_mode_open: 'Open / served',
    an_col_area: 'Area',
    an_col_facilities: 'Facilities',
    an_col_capacity: 'Capacity',
    an_col_demand: 'Demand',
    an_col_gap: 'Gap',
    an_col_open: 'Open',
    an_totals: '{areas} areas · {open} open · {facilities} facilities · capacity {capacity} · demand {demand} · total shortfall {shortfall}',
    an_capacity_unknown: '{n} unknown',
    an_cov_whatif: 'Shown with the what-if demand setting ({rate} per 10,000 residents).',
    an_legend_gap: 'Gap (persons)',
    an_legend_surplus: 'surplus',
    an_legend_shortfall: 'shortfall',
    an_legend_no_demand: 'demand unknown (no population)',
    an_legend_areas: 'Daily-life areas',
    an_suit_help: 'Each grid cell is assessed at its centre as a point. The best places are those in open areas that are not "not suitable", each at least the minimum spacing from every better one.',
    an_cell: 'Cell size',
    an_by_verdict: 'Verdict',
    an_by_hazard: 'Hazard score',
    an_best_n: 'Best places',
    an_use_whatif: 'Use the what-if settings',
    an_suit_go: 'Show the suitability map',
    an_suit_working: 'Computing…',
    an_suit_done: '{cells} cells ({cell} m) assessed{cache}. Best {best} places.',
    an_cache_hit: ' (cached)',
    an_best_title: 'Best places in open areas',
    an_best_none: 'No place meets the conditions.',
    an_nearest_m: 'nearest facility {d} m',
    an_open_report: 'Open the full report (permalink)',
    an_place_title: 'Place {rank}',
    an_legend_hazard: 'Hazard score (out of {max})',
    an_legend_best: 'Best places',
    an_legend_cells: 'Suitability (cells)',
    an_whatif_help: 'Change rubric settings and see which candidates and areas change (the rubric file is not touched).',
    an_min_spacing: 'Minimum spacing (m)',
    an_radius: 'Radius (m)',
    an_phenomena: 'Counted sediment phenomena',
    an_ph_steep_slope: 'Steep slope failure',
    an_ph_debris_flow: 'Debris flow',
    an_ph_landslide: 'Landslide',
    an_flood_bands: 'Flood depth bands and points',
    an_demand_rate: 'Demand per 10,000 residents',
    an_candidates: 'Candidates (GeoJSON or CSV)',
    an_use_best: 'Use the best places',
    an_use_city: "Load the city's candidates",
    an_city_loaded: 'Loaded the dataset\'s {n} candidate sites.',
    an_city_rejected: ' ({n} unreadable ones left out)',
    an_city_none: 'This dataset has no candidate file. Paste candidates or choose a file.',
    an_changed_only: 'Only the candidates that change',
    an_whatif_go: 'Compare',
    an_reset: 'Back to the rubric',
    an_no_sites: 'Paste candidates or choose a file.',
    an_no_overrides: 'The rubric is unchanged.',
    an_whatif_done: '{changed} of {sites} candidates change ({rubric}; changed: {overrides}).',
    an_col_id: 'ID',
    an_col_name: 'Name',
    an_col_verdict: 'Verdict',
    an_col_hazard: 'Hazard',
    an_col_close: 'Too close',
    an_col_changed: 'Changes',
    an_col_nearest_pass: 'Nearest passing place',
    an_find: 'Find',
    an_areas_changed: 'Areas whose coverage changes',
    an_areas_unchanged: 'No area\'s coverage changes (the demand setting changes it).',
    an_field_verdict: 'verdict',
    an_field_hazard_total: 'hazard total',
    an_field_hazard_status: 'hazard status',
    an_field_too_close: 'spacing',
    an_field_area_id: 'area',
    an_field_open_area: 'open area',
    an_field_demand: 'demand',
    an_field_gap: 'gap',
    an_field_open_for_application: 'open area',
    an_field_capacity: 'capacity',
    an_field_facilities: 'facilities',
    an_nearest_help: '"Find" in the table, or a click on the map in this tab, tells why the place fails (suitable and spaced) and where the nearest passing place is.',
    an_search_radius: 'Search radius (m)',
    an_nearest_working: 'Searching…',
    an_passes: 'This place passes.',
    an_fails_because: 'Why it fails',
    an_found: 'A passing place {d} m away ({bearing}): {verdict}, hazard {hazard}, nearest facility {nearest} m.',
    an_not_found: 'No passing place within {r} m ({tried} places assessed).',
    an_legend_candidates: 'Candidates (verdict after; thick ring = changes)',
    an_legend_nearest: 'Nearest passing place and line',
    an_changed_ring: 'changes',
  },
});

const $ = (id) => document.getElementById(id);
const VERDICT_COLOUR = { buildable: '#2b8a3e', conditional: '#e67700', not_buildable: '#c92a2a', unknown: '#868e96' };
const VERDICTS = ['buildable', 'conditional', 'unknown', 'not_buildable'];
const GAP_SURPLUS = '#2166ac';
const GAP_ZERO = '#f7f7f7';
const GAP_SHORT = '#b2182b';
const HAZARD_RAMP = ['#b2182b', '#f4a582', '#fddbc7', '#a6dba0', '#1b7837'];
const empty = () => ({ type: 'FeatureCollection', features: [] });
const num = (x, d = 1) => (x == null ? '—' : Number(x).toLocaleString(undefined, { maximumFractionDigits: d }));

const state = {
  tab: 'coverage',
  rubric: null,       // the default rubric (/api/rubrics)
  coverage: null,     // /api/areas
  areaGeo: null,      // /api/map/daily_life_area joined with the coverage
  covMode: 'gap',
  covSort: { key: 'gap', dir: -1 },
  selectedArea: null,
  suit: null,         // /api/suitability answer
  suitColour: 'verdict',
  selectedBest: null,
  whatif: null,       // /api/whatif answer
  wiInputs: [],       // candidate positions from the posted body, by input index
  wiBody: null,       // { body, type } last posted
  nearest: null,      // last /api/whatif/nearest answer with its origin
  cityTried: false,   // the dataset's candidates were offered once (on first opening what-if)
};

async function getJson(url, init) {
  const r = await fetch(url, init);
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new Error(body?.detail ?? `${r.status} ${r.statusText}`);
  return { body, response: r };
}

/** Puts the data directory's candidate sites (/api/candidates) into the what-if input. */
async function loadCityCandidates() {
  try {
    const r = await fetch('/api/candidates');
    if (r.status === 404) {
      setStatus('wi-status', t('an_city_none'));
      return;
    }
    const body = await r.json();
    if (!r.ok) throw new Error(body?.detail ?? `${r.status} ${r.statusText}`);
    $('wi-sites').value = JSON.stringify(body);
    const rejected = Number(r.headers.get('x-tekichi-rejected') ?? 0);
    setStatus('wi-status', t('an_city_loaded', { n: body.features.length })
      + (rejected ? t('an_city_rejected', { n: rejected }) : ''));
  } catch (err) {
    setStatus('wi-status', `${t('error_prefix')}: ${err.message}`, true);
  }
}

function setStatus(id, msg, error = false) {
  const el = $(id);
  el.textContent = msg;
  el.classList.toggle('error', error);
}

// ------------------------------------------------------------------ map

const map = createPageMap('map');

function addLayers() {
  for (const id of ['cells', 'areas', 'best', 'candidates', 'nearest']) map.addSource(id, { type: 'geojson', data: empty() });
  map.addLayer({ id: 'cells-fill', type: 'fill', source: 'cells', layout: { visibility: 'none' },
    paint: { 'fill-color': '#888', 'fill-opacity': 0.6 } });
  map.addLayer({ id: 'areas-fill', type: 'fill', source: 'areas', paint: { 'fill-color': '#ccc', 'fill-opacity': 0.7 } });
  map.addLayer({ id: 'areas-line', type: 'line', source: 'areas', paint: { 'line-color': '#343a40', 'line-width': 1.5 } });
  map.addLayer({ id: 'areas-changed', type: 'line', source: 'areas', filter: ['in', ['get', 'id'], ['literal', []]],
    paint: { 'line-color': '#7048e8', 'line-width': 4, 'line-dasharray': [2, 1] } });
  map.addLayer({ id: 'areas-hl', type: 'line', source: 'areas', filter: ['==', ['get', 'id'], ''],
    paint: { 'line-color': '#f59f00', 'line-width': 5 } });
  map.addLayer({ id: 'best-circle', type: 'circle', source: 'best', layout: { visibility: 'none' },
    paint: {
      'circle-radius': ['case', ['boolean', ['feature-state', 'selected'], false], 11, 7],
      'circle-color': '#1c3f95', 'circle-stroke-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#f59f00', '#fff'],
      'circle-stroke-width': 3,
    } });
  map.addLayer({ id: 'candidates-circle', type: 'circle', source: 'candidates', layout: { visibility: 'none' },
    paint: {
      'circle-radius': 9,
      'circle-color': ['match', ['get', 'verdict'], 'buildable', VERDICT_COLOUR.buildable, 'conditional', VERDICT_COLOUR.conditional,
        'not_buildable', VERDICT_COLOUR.not_buildable, VERDICT_COLOUR.unknown],
      'circle-stroke-color': ['case', ['get', 'changed'], '#000', '#fff'],
      'circle-stroke-width': ['case', ['get', 'changed'], 3.5, 1.5],
    } });
  map.addLayer({ id: 'nearest-line', type: 'line', source: 'nearest', filter: ['==', ['geometry-type'], 'LineString'],
    paint: { 'line-color': '#0b7285', 'line-width': 3, 'line-dasharray': [2, 1.5] } });
  map.addLayer({ id: 'nearest-point', type: 'circle', source: 'nearest', filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-radius': 8,
      'circle-color': ['match', ['get', 'role'], 'found', '#2b8a3e', '#c92a2a'],
      'circle-stroke-color': '#fff', 'circle-stroke-width': 3,
    } });
}

function bboxOf(geometry) {
  const pts = [];
  const walk = (c) => (typeof c[0] === 'number' ? pts.push(c) : c.forEach(walk));
  walk(geometry.coordinates);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

/** A representative point of a site geometry: the point itself, or the mean of the outer ring's corners. */
function anchorOf(geometry) {
  if (!geometry) return null;
  if (geometry.type === 'Point') return geometry.coordinates;
  const ring = geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.type === 'MultiPolygon' ? geometry.coordinates[0][0] : null;
  if (!ring || !ring.length) return null;
  const pts = ring.slice(0, -1).length ? ring.slice(0, -1) : ring;
  return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
}

// ------------------------------------------------------------------ 1. coverage

function areaName(id) {
  return state.coverage?.areas.find((a) => a.id === id)?.name ?? id ?? '—';
}

function joinCoverage(geo, coverage) {
  const byId = new Map(coverage.areas.map((a) => [a.id, a]));
  const byFeature = new Map(coverage.areas.map((a) => [a.feature_id, a]));
  const features = geo.features.map((f) => {
    const a = byId.get(f.properties.value) ?? byFeature.get(f.id);
    return {
      type: 'Feature',
      geometry: f.geometry,
      properties: {
        id: a?.id ?? String(f.id),
        name: a?.name ?? f.properties.name,
        open: a ? (a.open_for_application == null ? 'unknown' : a.open_for_application ? 'open' : 'served') : 'unknown',
        has_gap: a?.gap != null,
        gap: a?.gap ?? 0,
      },
    };
  });
  return { type: 'FeatureCollection', features };
}

function gapExtent() {
  const gaps = state.coverage.areas.map((a) => a.gap).filter((g) => g != null).map(Math.abs);
  const m = Math.max(1, ...gaps);
  const step = m > 100 ? 50 : m > 20 ? 10 : 5;
  return Math.ceil(m / step) * step;
}

function paintCoverage() {
  let colour;
  if (state.covMode === 'gap') {
    const m = gapExtent();
    colour = ['case', ['get', 'has_gap'],
      ['interpolate', ['linear'], ['get', 'gap'], -m, GAP_SURPLUS, 0, GAP_ZERO, m, GAP_SHORT],
      '#bdbdbd'];
  } else {
    colour = ['match', ['get', 'open']];
    for (const [cls, c] of kindInfo('daily_life_area').classes) colour.push(cls, c);
    colour.push('#9e9e9e');
  }
  map.setPaintProperty('areas-fill', 'fill-color', colour);
}

const COV_COLUMNS = [
  ['name', 'an_col_area', (a) => a.name ?? a.id],
  ['facilities', 'an_col_facilities', (a) => a.target_facilities?.count ?? -1],
  ['capacity', 'an_col_capacity', (a) => a.target_facilities?.capacity ?? -1],
  ['demand', 'an_col_demand', (a) => a.demand?.users ?? -Infinity],
  ['gap', 'an_col_gap', (a) => a.gap ?? -Infinity],
  ['open', 'an_col_open', (a) => (a.open_for_application == null ? 2 : a.open_for_application ? 0 : 1)],
];

function covCell(key, a) {
  const f = a.target_facilities;
  switch (key) {
    case 'name': return h(a.name ?? a.id);
    case 'facilities': return f ? String(f.count) : '—';
    case 'capacity': return f ? `${f.capacity}${f.capacity_unknown ? ` <span class="small">(${h(t('an_capacity_unknown', { n: f.capacity_unknown }))})</span>` : ''}` : '—';
    case 'demand': return num(a.demand?.users);
    case 'gap': {
      if (a.gap == null) return '—';
      const cls = a.gap > 0 ? 'gap-short' : 'gap-ok';
      return `<span class="${cls}">${a.gap_is_upper_bound ? '≦ ' : ''}${a.gap > 0 ? '+' : ''}${num(a.gap)}</span>`;
    }
    case 'open': return a.open_for_application == null ? h(t('unknown')) : a.open_for_application ? '○' : '×';
    default: return '';
  }
}

/** Sorts `rows` by a column of `columns`; ties keep the server's order. */
function sortRows(rows, columns, { key, dir }) {
  const col = columns.find((c) => c[0] === key);
  return rows.map((r, i) => [r, i]).sort((a, b) => {
    const x = col[2](a[0]);
    const y = col[2](b[0]);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'ja');
    return c * dir || a[1] - b[1];
  }).map(([r]) => r);
}

function sortHeader(columns, sort) {
  return `<thead><tr>${columns.map(([k, label]) => {
    const on = k === sort.key;
    return `<th scope="col" aria-sort="${on ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none'}"><button type="button" data-sort="${k}">${h(t(label))}${on ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''}</button></th>`;
  }).join('')}</tr></thead>`;
}

function renderCoverage() {
  const c = state.coverage;
  const tot = c.totals;
  const rate = c.demand?.per_10000_population;
  const whatif = state.covOverride ? ` ${t('an_cov_whatif', { rate })}` : '';
  $('cov-totals').textContent = t('an_totals', {
    areas: tot.areas, open: tot.open_areas, facilities: tot.facilities, capacity: tot.capacity,
    demand: num(tot.demand), shortfall: num(tot.shortfall),
  }) + whatif;
  const rows = sortRows(c.areas, COV_COLUMNS, state.covSort);
  $('cov-table').innerHTML = `${sortHeader(COV_COLUMNS, state.covSort)}<tbody>${rows.map((a) => `<tr tabindex="0" data-id="${h(a.id)}"${a.id === state.selectedArea ? ' class="selected" aria-selected="true"' : ''}>${COV_COLUMNS.map(([k]) => `<td${k === 'name' ? '' : ' class="num"'}>${covCell(k, a)}</td>`).join('')}</tr>`).join('')}</tbody>`;
}

function selectArea(id, { move = true } = {}) {
  state.selectedArea = id;
  map.setFilter('areas-hl', ['==', ['get', 'id'], id ?? '']);
  for (const tr of $('cov-table').querySelectorAll('tbody tr')) {
    const on = tr.dataset.id === id;
    tr.classList.toggle('selected', on);
    if (on) tr.setAttribute('aria-selected', 'true');
    else tr.removeAttribute('aria-selected');
  }
  const f = state.areaGeo.features.find((x) => x.properties.id === id);
  if (f && move) map.fitBounds(bboxOf(f.geometry), { padding: 40, maxZoom: 15 });
}

async function loadCoverage(overrideQuery = '') {
  const [{ body: coverage }, { body: geo }] = await Promise.all([
    getJson(`/api/areas${overrideQuery}`),
    state.areaGeo ? Promise.resolve({ body: null }) : getJson('/api/map/daily_life_area'),
  ]);
  state.coverage = coverage;
  state.covOverride = overrideQuery !== '';
  state.areaGeoRaw = geo ?? state.areaGeoRaw;
  state.areaGeo = joinCoverage(state.areaGeoRaw, coverage);
  map.getSource('areas').setData(state.areaGeo);
  paintCoverage();
  renderCoverage();
}

// ------------------------------------------------------------------ 2. suitability

function suitColourExpr() {
  if (state.suitColour === 'hazard') {
    const max = state.suit?.best?.[0]?.properties.hazard_max ?? state.rubric?.max_total ?? 15;
    const stops = HAZARD_RAMP.flatMap((c, i) => [(max * i) / (HAZARD_RAMP.length - 1), c]);
    return ['case', ['==', ['typeof', ['get', 'hazard_total']], 'number'],
      ['interpolate', ['linear'], ['get', 'hazard_total'], ...stops], '#9e9e9e'];
  }
  return ['match', ['get', 'verdict'], ...VERDICTS.flatMap((v) => [v, VERDICT_COLOUR[v]]), '#9e9e9e'];
}

async function loadSuitability() {
  const cell = $('suit-cell').value;
  const best = Math.max(1, Math.min(100, Number($('suit-best').value) || 10));
  const extra = $('suit-whatif').checked ? overrideParams() : new URLSearchParams();
  const q = new URLSearchParams({ cell, best: String(best), ...Object.fromEntries(extra) });
  setStatus('suit-status', t('an_suit_working'));
  $('suit-go').disabled = true;
  try {
    const { body, response } = await getJson(`/api/suitability?${q}`);
    state.suit = body;
    state.selectedBest = null;
    map.getSource('cells').setData(body);
    map.setPaintProperty('cells-fill', 'fill-color', suitColourExpr());
    const points = body.best.map((f) => ({
      type: 'Feature', id: f.properties.best_rank, properties: { rank: f.properties.best_rank, id: f.properties.id },
      geometry: { type: 'Point', coordinates: [f.properties.lon, f.properties.lat] },
    }));
    map.getSource('best').setData({ type: 'FeatureCollection', features: points });
    setStatus('suit-status', t('an_suit_done', {
      cells: body.cells.toLocaleString(), cell: body.cell_m, best: body.best.length,
      cache: response.headers.get('x-tekichi-cache') === 'hit' ? t('an_cache_hit') : '',
    }));
    renderBest();
    $('place').hidden = true;
    showTabLayers();
    document.body.dataset.suitability = String(body.cells);
  } catch (err) {
    setStatus('suit-status', `${t('error_prefix')}: ${err.message}`, true);
  } finally {
    $('suit-go').disabled = false;
  }
}

function renderBest() {
  const list = $('best-list');
  if (!state.suit) {
    list.innerHTML = '';
    return;
  }
  if (!state.suit.best.length) {
    list.innerHTML = `<li class="small">${h(t('an_best_none'))}</li>`;
    return;
  }
  list.innerHTML = state.suit.best.map((f) => {
    const p = f.properties;
    const sel = p.best_rank === state.selectedBest;
    return `<li><button type="button" class="best-item${sel ? ' selected' : ''}" data-rank="${p.best_rank}" data-id="${h(p.id)}" aria-pressed="${sel}">
      <span class="best-rank">${p.best_rank}</span>
      <span class="pill" style="background:${VERDICT_COLOUR[p.verdict] ?? VERDICT_COLOUR.unknown}">${h(verdictLabel(p.verdict))}</span>
      <span>${h(areaName(p.area_id))}</span>
      <span class="small">${h(t('hazard'))} ${p.hazard_total ?? '—'}/${p.hazard_max ?? '—'}${p.hazard_status === 'partial' ? '*' : ''} · ${h(t('an_nearest_m', { d: num(p.nearest_distance_m, 0) }))}</span>
    </button></li>`;
  }).join('');
}

async function selectBest(rank) {
  const f = state.suit?.best.find((x) => x.properties.best_rank === rank);
  if (!f) return;
  if (state.selectedBest != null) map.setFeatureState({ source: 'best', id: state.selectedBest }, { selected: false });
  state.selectedBest = rank;
  map.setFeatureState({ source: 'best', id: rank }, { selected: true });
  renderBest();
  const { lon, lat } = f.properties;
  map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 15) });
  const place = $('place');
  place.hidden = false;
  place.innerHTML = `<h3>${h(t('an_place_title', { rank }))} <span class="small">${lon.toFixed(5)}, ${lat.toFixed(5)}</span></h3><p class="small">${h(t('working'))}</p>`;
  try {
    const { body: report } = await getJson(`/api/assess?lon=${lon}&lat=${lat}`);
    if (state.selectedBest !== rank) return;
    place.innerHTML = `<h3>${h(t('an_place_title', { rank }))}</h3>
      <div class="row"><button type="button" class="primary" id="place-report" data-lon="${lon}" data-lat="${lat}">${h(t('an_open_report'))}</button>
      <a id="place-link" href="#" target="_blank" rel="noopener" hidden></a></div>
      <div class="report">${renderReport(report)}</div>`;
    place.dataset.verdict = report.buildability.verdict;
  } catch (err) {
    place.innerHTML = `<p class="error">${h(t('error_prefix'))}: ${h(err.message)}</p>`;
  }
}

/** Stores the place as a result (the server assesses it) and opens its printable report /r/{id}. */
async function openPlaceReport(lon, lat) {
  const link = $('place-link');
  try {
    const { body: stored } = await getJson('/api/results', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lon, lat] } } }),
    });
    link.href = `${stored.url}?lang=${document.documentElement.lang}`;
    link.textContent = `${t('permalink')}: ${location.origin}${stored.url}`;
    link.hidden = false;
    window.open(link.href, '_blank', 'noopener');
  } catch (err) {
    link.hidden = false;
    link.textContent = `${t('error_prefix')}: ${err.message}`;
  }
}

// ------------------------------------------------------------------ 3. what-if

function bandsText(bands) {
  return (bands ?? []).map((b) => `${b.from_m}-${b.to_m ?? ''}:${b.points}`).join(',');
}

function fillRubricDefaults() {
  const r = state.rubric;
  if (!r) return;
  $('wi-spacing').value = r.min_spacing_m;
  $('wi-radius').value = r.radius_m;
  const counted = new Set(r.categories?.landslide?.counts ?? []);
  for (const box of document.querySelectorAll('input[name=phenomenon]')) box.checked = counted.has(box.value);
  $('wi-flood').value = bandsText(r.categories?.flood?.bands);
  $('wi-demand').value = state.coverage?.demand?.per_10000_population ?? '';
}

/** The override parameters: only the settings that differ from the rubric's own values. */
function overrideParams() {
  const r = state.rubric;
  const q = new URLSearchParams();
  if (!r) return q;
  const spacing = $('wi-spacing').value.trim();
  if (spacing !== '' && Number(spacing) !== r.min_spacing_m) q.set('min_spacing_m', spacing);
  const radius = $('wi-radius').value.trim();
  if (radius !== '' && Number(radius) !== r.radius_m) q.set('radius_m', radius);
  const phen = [...document.querySelectorAll('input[name=phenomenon]:checked')].map((b) => b.value);
  const counted = r.categories?.landslide?.counts ?? [];
  if ([...phen].sort().join(',') !== [...counted].sort().join(',')) q.set('landslide_phenomena', phen.join(','));
  const flood = $('wi-flood').value.replace(/\s+/g, '');
  if (flood !== '' && flood !== bandsText(r.categories?.flood?.bands)) q.set('flood_bands', flood);
  const demand = $('wi-demand').value.trim();
  const rate = state.coverage?.demand?.per_10000_population;
  if (demand !== '' && rate != null && Number(demand) !== rate) q.set('demand_per_10000_population', demand);
  return q;
}

/** Splits one CSV line (double quotes may wrap a field). */
function csvFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Candidate positions (by input index) read from the body, to draw the what-if answer. */
function candidatePositions(text, type) {
  if (type !== 'text/csv') {
    try {
      const doc = JSON.parse(text);
      const features = doc.type === 'FeatureCollection' ? doc.features : [doc];
      return features.map((f) => ({ anchor: anchorOf(f.geometry ?? f), feature: f.type === 'Feature' ? f : { type: 'Feature', properties: {}, geometry: f } }));
    } catch {
      return [];
    }
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  const head = csvFields(lines[0] ?? '').map((s) => s.toLowerCase());
  const xi = head.findIndex((c) => ['lon', 'lng', 'longitude', '経度', 'x'].includes(c));
  const yi = head.findIndex((c) => ['lat', 'latitude', '緯度', 'y'].includes(c));
  return lines.slice(1).map((l) => {
    const f = csvFields(l);
    const anchor = xi >= 0 && yi >= 0 && Number.isFinite(Number(f[xi])) && Number.isFinite(Number(f[yi])) && f[xi] !== '' ? [Number(f[xi]), Number(f[yi])] : null;
    return { anchor, feature: anchor ? { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: anchor } } : null };
  });
}

function candidatesInput() {
  const text = $('wi-sites').value.trim();
  if (!text) return null;
  const type = text.startsWith('{') ? 'application/geo+json' : 'text/csv';
  return { body: text, type };
}

async function runWhatif() {
  const input = candidatesInput();
  if (!input) {
    setStatus('wi-status', t('an_no_sites'), true);
    return;
  }
  const q = overrideParams();
  const overrides = [...q.entries()].map(([k, v]) => `${k}=${v}`).join(', ');
  setStatus('wi-status', t('working'));
  $('wi-go').disabled = true;
  try {
    const { body } = await getJson(`/api/whatif?${q}`, { method: 'POST', headers: { 'content-type': input.type }, body: input.body });
    state.whatif = body;
    state.wiBody = input;
    state.wiInputs = candidatePositions(input.body, input.type);
    setStatus('wi-status', `${t('an_whatif_done', { sites: body.sites, changed: body.changed, rubric: body.rubric, overrides: overrides || '—' })}${overrides ? '' : ` ${t('an_no_overrides')}`}`);
    renderWhatif();
    whatifToMap();
    // The choropleth follows the changed demand setting, so the map shows the areas "after".
    await loadCoverage(q.has('demand_per_10000_population') ? `?demand_per_10000_population=${encodeURIComponent(q.get('demand_per_10000_population'))}` : '');
    map.setFilter('areas-changed', ['in', ['get', 'id'], ['literal', body.areas.map((a) => a.id)]]);
  } catch (err) {
    setStatus('wi-status', `${t('error_prefix')}: ${err.message}`, true);
  } finally {
    $('wi-go').disabled = false;
  }
}

function failing(summary) {
  return !!summary && (summary.verdict !== 'buildable' || summary.too_close === true);
}

function beforeAfter(before, after, fmt) {
  const a = before == null ? '—' : fmt(before);
  const b = after == null ? '—' : fmt(after);
  return a === b ? h(a) : `<span class="was">${h(a)}</span> → <strong>${h(b)}</strong>`;
}

function renderWhatif() {
  const w = state.whatif;
  if (!w) return;
  const onlyChanged = $('wi-changed-only').checked;
  const rows = w.comparisons.filter((c) => !onlyChanged || c.changed.length);
  const table = $('wi-table');
  const close = (s) => (s.too_close == null ? t('unknown') : s.too_close ? t('yes') : t('no'));
  const hz = (s) => (s.hazard_total == null ? '—' : `${s.hazard_total}/${s.hazard_max}`);
  table.innerHTML = `<thead><tr>${['an_col_id', 'an_col_name', 'an_col_verdict', 'an_col_hazard', 'an_col_close', 'an_col_changed', 'an_col_nearest_pass']
    .map((k) => `<th scope="col">${h(t(k))}</th>`).join('')}</tr></thead>
    <tbody>${rows.map((c) => {
      const b = c.before;
      const a = c.after;
      const anchor = state.wiInputs[c.index]?.anchor;
      return `<tr tabindex="0" data-index="${c.index}" class="${c.changed.length ? 'changed' : ''}">
        <td>${h(c.site_id)}</td><td>${h(c.name ?? '')}</td>
        <td>${c.error ? `<span class="error">${h(c.error.message)}</span>` : beforeAfter(b, a, (s) => verdictLabel(s.verdict))}</td>
        <td class="num">${c.error ? '' : beforeAfter(b, a, hz)}</td>
        <td>${c.error ? '' : beforeAfter(b, a, close)}</td>
        <td class="changed-fields">${c.changed.map((f) => h(t(`an_field_${f}`))).join('、')}</td>
        <td>${failing(a) && anchor ? `<button type="button" class="find" data-index="${c.index}">${h(t('an_find'))}</button>` : ''}</td></tr>`;
    }).join('')}</tbody>`;
  table.hidden = false;
  const areas = $('wi-areas');
  if (!w.areas.length) {
    areas.innerHTML = `<p class="small">${h(t('an_areas_unchanged'))}</p>`;
    return;
  }
  areas.innerHTML = `<h3>${h(t('an_areas_changed'))}</h3><ul>${w.areas.map((ac) => {
    const b = ac.before;
    const a = ac.after;
    const open = (x) => (x.open_for_application == null ? t('unknown') : x.open_for_application ? '○' : '×');
    return `<li data-id="${h(ac.id)}"><strong>${h(a?.name ?? b?.name ?? ac.id)}</strong> — ${ac.changed.map((f) => h(t(`an_field_${f}`))).join('、')}:
      ${h(t('an_col_demand'))} ${beforeAfter(b, a, (x) => num(x.demand?.users))},
      ${h(t('an_col_gap'))} ${beforeAfter(b, a, (x) => num(x.gap))},
      ${h(t('an_col_open'))} ${beforeAfter(b, a, open)}</li>`;
  }).join('')}</ul>`;
}

function whatifToMap() {
  const w = state.whatif;
  const features = w.comparisons.filter((c) => c.after && state.wiInputs[c.index]?.anchor).map((c) => ({
    type: 'Feature',
    properties: { index: c.index, verdict: c.after.verdict, changed: c.changed.length > 0 },
    geometry: { type: 'Point', coordinates: state.wiInputs[c.index].anchor },
  }));
  map.getSource('candidates').setData({ type: 'FeatureCollection', features });
  showTabLayers();
  // Frame the candidates that change (all of them when none does).
  const framed = features.some((f) => f.properties.changed) ? features.filter((f) => f.properties.changed) : features;
  if (framed.length) {
    const xs = framed.map((f) => f.geometry.coordinates[0]);
    const ys = framed.map((f) => f.geometry.coordinates[1]);
    map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, maxZoom: 15, animate: false });
  }
  $('wi-status').scrollIntoView({ block: 'nearest' });
}

function showCandidate(index) {
  const anchor = state.wiInputs[index]?.anchor;
  if (anchor) map.flyTo({ center: anchor, zoom: Math.max(map.getZoom(), 15) });
  for (const tr of $('wi-table').querySelectorAll('tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.index) === index);
}

function compass(deg) {
  const ja = ['北', '北北東', '北東', '東北東', '東', '東南東', '南東', '南南東', '南', '南南西', '南西', '西南西', '西', '西北西', '北西', '北北西'];
  const en = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];
  const i = Math.round(deg / 22.5) % 16;
  return `${pick(ja[i], en[i])} ${Math.round(deg)}°`;
}

/** Why a place fails and where the nearest passing place is, under the what-if settings. */
async function findNearest(site, label) {
  const q = overrideParams();
  q.set('search_radius_m', $('wi-search-radius')?.value || '1000');
  const out = $('nearest');
  out.innerHTML = `<p class="small">${h(t('an_nearest_working'))}</p>`;
  try {
    const isPoint = site.geometry.type === 'Point';
    if (isPoint) {
      q.set('lon', site.geometry.coordinates[0]);
      q.set('lat', site.geometry.coordinates[1]);
    }
    const { body } = isPoint
      ? await getJson(`/api/whatif/nearest?${q}`)
      : await getJson(`/api/whatif/nearest?${q}`, { method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: JSON.stringify(site) });
    state.nearest = { body, origin: anchorOf(site.geometry), label };
    renderNearest();
    nearestToMap();
  } catch (err) {
    out.innerHTML = `<p class="error">${h(t('error_prefix'))}: ${h(err.message)}</p>`;
  }
}

function renderNearest() {
  const n = state.nearest;
  const out = $('nearest');
  if (!n) return;
  const b = n.body;
  const head = `<p><strong>${h(n.label ?? '')}</strong> <span class="small">${n.origin ? `${n.origin[0].toFixed(5)}, ${n.origin[1].toFixed(5)}` : ''}</span></p>`;
  if (!b.failed.length) {
    out.innerHTML = `${head}<p class="ok-text">${h(t('an_passes'))}</p>`;
    out.dataset.outcome = 'passes';
    return;
  }
  const reasons = `<h4>${h(t('an_fails_because'))}</h4><ul class="reasons">${b.failed.map((r) => `<li>${h(pick(r.ja, r.en))} <span class="code">${h(r.code)}</span></li>`).join('')}</ul>`;
  const f = b.found;
  const found = f
    ? `<p class="found">${h(t('an_found', {
      d: num(f.distance_m, 0), bearing: compass(f.bearing_deg), verdict: verdictLabel(f.summary.verdict),
      hazard: f.summary.hazard_total == null ? '—' : `${f.summary.hazard_total}/${f.summary.hazard_max}`,
      nearest: num(f.summary.nearest_distance_m, 0),
    }))}</p>`
    : `<p class="error">${h(t('an_not_found', { r: num(b.radius_m, 0), tried: b.tried }))}</p>`;
  out.innerHTML = head + reasons + found;
  out.dataset.outcome = f ? 'found' : 'none';
}

function nearestToMap() {
  const n = state.nearest;
  const features = [];
  if (n?.origin) features.push({ type: 'Feature', properties: { role: 'origin' }, geometry: { type: 'Point', coordinates: n.origin } });
  const f = n?.body.failed.length ? n.body.found : null;
  if (f) {
    features.push({ type: 'Feature', properties: { role: 'found', distance_m: f.distance_m }, geometry: { type: 'Point', coordinates: f.location } });
    features.push({ type: 'Feature', properties: { role: 'line' }, geometry: { type: 'LineString', coordinates: [n.origin, f.location] } });
    map.fitBounds([[Math.min(n.origin[0], f.location[0]), Math.min(n.origin[1], f.location[1])],
      [Math.max(n.origin[0], f.location[0]), Math.max(n.origin[1], f.location[1])]], { padding: 80, maxZoom: 15 });
  }
  map.getSource('nearest').setData({ type: 'FeatureCollection', features });
}

// ------------------------------------------------------------------ tabs, legend

const TABS = ['coverage', 'suitability', 'whatif'];

function selectTab(name) {
  state.tab = name;
  // The what-if tab starts from the dataset's own candidates when nothing was given yet.
  if (name === 'whatif' && !$('wi-sites').value.trim() && !state.cityTried) {
    state.cityTried = true;
    loadCityCandidates();
  }
  for (const tab of TABS) {
    const on = tab === name;
    $(`tab-${tab}`).setAttribute('aria-selected', String(on));
    $(`tab-${tab}`).tabIndex = on ? 0 : -1;
    $(`pane-${tab}`).hidden = !on;
  }
  showTabLayers();
}

/** Each tab shows its own layers: the choropleth, the grid with the best places, or the candidates. */
function showTabLayers() {
  const vis = (id, on) => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  const tab = state.tab;
  vis('areas-fill', tab === 'coverage');
  vis('areas-hl', tab === 'coverage');
  vis('cells-fill', tab === 'suitability' && !!state.suit);
  vis('best-circle', tab === 'suitability' && !!state.suit);
  vis('candidates-circle', tab === 'whatif');
  vis('areas-changed', tab === 'whatif');
  vis('nearest-line', tab === 'whatif');
  vis('nearest-point', tab === 'whatif');
  renderMapLegend();
}

function swatch(colour, label, shape = 'box') {
  return `<li><span class="swatch ${shape}" style="background:${colour}"></span>${h(label)}</li>`;
}

function renderMapLegend() {
  const el = $('map-legend');
  const areaOutline = `<li><span class="swatch box outline"></span>${h(t('an_legend_areas'))}</li>
    <li><span class="swatch dot small-dot" style="background:${kindInfo('facility').classes[0][1]}"></span>${h(t('kind_facility'))}</li>`;
  if (state.tab === 'coverage' && state.coverage) {
    if (state.covMode === 'gap') {
      const m = gapExtent();
      el.innerHTML = `<strong>${h(t('an_legend_gap'))}</strong>
        <div class="ramp" style="background:linear-gradient(to right, ${GAP_SURPLUS}, ${GAP_ZERO}, ${GAP_SHORT})"></div>
        <div class="ramp-labels"><span>−${m} ${h(t('an_legend_surplus'))}</span><span>0</span><span>+${m} ${h(t('an_legend_shortfall'))}</span></div>
        <ul class="legend-classes">${swatch('#bdbdbd', t('an_legend_no_demand'))}</ul>`;
    } else {
      el.innerHTML = `<strong>${h(t('kind_daily_life_area'))}</strong><ul class="legend-classes">${kindInfo('daily_life_area').classes
        .map(([, c, ja, en]) => swatch(c, pick(ja, en))).join('')}</ul>`;
    }
  } else if (state.tab === 'suitability' && state.suit) {
    const max = state.suit.best?.[0]?.properties.hazard_max ?? state.rubric?.max_total ?? 15;
    const cells = state.suitColour === 'hazard'
      ? `<strong>${h(t('an_legend_hazard', { max }))}</strong><div class="ramp" style="background:linear-gradient(to right, ${HAZARD_RAMP.join(', ')})"></div>
         <div class="ramp-labels"><span>0</span><span>${max}</span></div>`
      : `<strong>${h(t('an_legend_cells'))}</strong><ul class="legend-classes">${VERDICTS.map((v) => swatch(VERDICT_COLOUR[v], verdictLabel(v))).join('')}</ul>`;
    el.innerHTML = `${cells}<ul class="legend-classes">${swatch('#1c3f95', t('an_legend_best'), 'dot')}${areaOutline}</ul>`;
  } else if (state.tab === 'whatif') {
    el.innerHTML = `<strong>${h(t('an_legend_candidates'))}</strong><ul class="legend-classes">${VERDICTS.map((v) => swatch(VERDICT_COLOUR[v], verdictLabel(v), 'dot')).join('')}
      <li><span class="swatch dot ring"></span>${h(t('an_changed_ring'))}</li>
      <li><span class="swatch line"></span>${h(t('an_legend_nearest'))}</li>${areaOutline}</ul>`;
  } else {
    el.innerHTML = `<ul class="legend-classes">${areaOutline}</ul>`;
  }
  el.hidden = false;
}

function renderAll() {
  if (state.coverage) renderCoverage();
  renderBest();
  renderWhatif();
  renderNearest();
  renderMapLegend();
  if (state.basemapNote) $('basemap-note').textContent = t(state.basemapNote);
}

// ------------------------------------------------------------------ wiring

function onSortClick(e, sortKey, render) {
  const b = e.target.closest('button[data-sort]');
  if (!b) return false;
  const key = b.dataset.sort;
  const cur = state[sortKey];
  // Numbers start with the largest first, names in order.
  state[sortKey] = { key, dir: cur.key === key ? -cur.dir : key === 'name' ? 1 : -1 };
  render();
  e.currentTarget.querySelector(`button[data-sort="${key}"]`)?.focus();
  return true;
}

function wire() {
  $('lang').addEventListener('click', toggleLang);
  onLangChange(renderAll);
  for (const tab of TABS) $(`tab-${tab}`).addEventListener('click', () => selectTab(tab));
  document.querySelector('.tabs').addEventListener('keydown', (e) => {
    if (!['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(e.key)) return;
    const tabs = [...e.currentTarget.querySelectorAll('[role=tab]')];
    const i = tabs.indexOf(document.activeElement);
    const next = e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1]
      : tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    e.preventDefault();
    next.focus();
    next.click();
  });

  // coverage
  for (const r of document.querySelectorAll('input[name=cov-mode]')) {
    r.addEventListener('change', () => {
      state.covMode = r.value;
      paintCoverage();
      renderMapLegend();
    });
  }
  $('cov-table').addEventListener('click', (e) => {
    if (onSortClick(e, 'covSort', renderCoverage)) return;
    const tr = e.target.closest('tbody tr');
    if (tr) selectArea(tr.dataset.id);
  });
  $('cov-table').addEventListener('keydown', (e) => {
    const tr = e.target.closest('tbody tr');
    if (tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      selectArea(tr.dataset.id);
    }
  });

  // suitability
  $('suit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    loadSuitability();
  });
  $('suit-colour').addEventListener('change', () => {
    state.suitColour = $('suit-colour').value;
    map.setPaintProperty('cells-fill', 'fill-color', suitColourExpr());
    renderMapLegend();
  });
  $('best-list').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-rank]');
    if (b) selectBest(Number(b.dataset.rank));
  });
  $('place').addEventListener('click', (e) => {
    const b = e.target.closest('#place-report');
    if (b) openPlaceReport(Number(b.dataset.lon), Number(b.dataset.lat));
  });

  // what-if
  $('wi-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runWhatif();
  });
  $('wi-reset').addEventListener('click', fillRubricDefaults);
  $('wi-changed-only').addEventListener('change', renderWhatif);
  $('wi-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const bytes = await file.arrayBuffer();
    // CSV files from Japanese Excel are often Shift_JIS: the server decodes either.
    let text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD')) text = new TextDecoder('shift_jis').decode(bytes);
    $('wi-sites').value = text;
  });
  $('wi-use-city').addEventListener('click', loadCityCandidates);
  $('wi-use-best').addEventListener('click', () => {
    if (!state.suit?.best.length) {
      selectTab('suitability');
      return;
    }
    $('wi-sites').value = ['site_id,name,lon,lat', ...state.suit.best.map((f) => {
      const p = f.properties;
      return `${p.id},${t('an_place_title', { rank: p.best_rank })},${p.lon.toFixed(6)},${p.lat.toFixed(6)}`;
    })].join('\n');
  });
  $('wi-table').addEventListener('click', (e) => {
    const find = e.target.closest('button.find');
    const tr = e.target.closest('tbody tr');
    if (!tr) return;
    const index = Number(tr.dataset.index);
    showCandidate(index);
    if (find) {
      const c = state.whatif.comparisons.find((x) => x.index === index);
      findNearest(state.wiInputs[index].feature, `${c.site_id} ${c.name ?? ''}`);
    }
  });
  $('wi-table').addEventListener('keydown', (e) => {
    const tr = e.target.closest('tbody tr');
    if (tr && e.key === 'Enter' && e.target === tr) showCandidate(Number(tr.dataset.index));
  });

  map.on('click', (e) => {
    if (state.tab === 'coverage') {
      const hit = map.queryRenderedFeatures(e.point, { layers: ['areas-fill'] })[0];
      if (hit) {
        selectArea(hit.properties.id, { move: false });
        $('cov-table').querySelector(`tr[data-id="${CSS.escape(hit.properties.id)}"]`)?.scrollIntoView({ block: 'nearest' });
      }
    } else if (state.tab === 'suitability') {
      const hit = map.queryRenderedFeatures(e.point, { layers: ['best-circle'] })[0];
      if (hit) selectBest(hit.properties.rank);
    } else if (state.tab === 'whatif') {
      const hit = map.queryRenderedFeatures(e.point, { layers: ['candidates-circle'] })[0];
      if (hit) {
        showCandidate(hit.properties.index);
        return;
      }
      findNearest({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [e.lngLat.lng, e.lngLat.lat] } }, '');
    }
  });
  map.on('mousemove', (e) => {
    const layers = { coverage: ['areas-fill'], suitability: ['best-circle'], whatif: ['candidates-circle'] }[state.tab]
      .filter((id) => map.getLayer(id));
    const hit = map.queryRenderedFeatures(e.point, { layers }).length > 0;
    map.getCanvas().style.cursor = hit || state.tab === 'whatif' ? 'pointer' : '';
  });
}

async function start() {
  applyStatic();
  wire();
  const [{ body: config }, { body: rubrics }] = await Promise.all([getJson('/api/ui-config'), getJson('/api/rubrics')]);
  $('dataset').textContent = config.dataset;
  state.rubric = rubrics.rubrics.find((r) => r.id === (config.rubric ?? rubrics.default)) ?? rubrics.rubrics[0];
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('load', resolve)));
  addBasemap(map, config, (key) => {
    state.basemapNote = key;
    const note = $('basemap-note');
    note.textContent = t(key);
    note.hidden = false;
    document.body.dataset.basemap = key === 'basemap_none' ? 'none' : 'unavailable';
  });
  addLayers();
  // The legend lives in the map's box, so it stays on the map when the panel moves under it.
  map.getContainer().append($('map-legend'));
  // Existing facilities on top of the choropleth, drawn as on the main map.
  const { body: facilities } = await getJson('/api/map/facility').catch(() => ({ body: null }));
  if (facilities) addKind(map, kindInfo('facility'), facilities, 'best-circle');
  await loadCoverage();
  fillRubricDefaults();
  const b = state.areaGeo.features.map((f) => bboxOf(f.geometry));
  if (b.length) {
    map.fitBounds([[Math.min(...b.map((x) => x[0][0])), Math.min(...b.map((x) => x[0][1]))],
      [Math.max(...b.map((x) => x[1][0])), Math.max(...b.map((x) => x[1][1]))]], { padding: 20, animate: false });
  }
  selectTab('coverage');
  document.body.dataset.ready = 'true';
}

start().catch((err) => {
  setStatus('suit-status', `${t('error_prefix')}: ${err.message}`, true);
  console.error(err);
});
