// The printable report of a stored result (/r/{id}): the answer as stored, a note when
// the data loaded now would answer differently, a map of the site with legend and scale,
// the permalink with a QR code, sources and a disclaimer.

import * as maplibregl from '/map/lib/maplibre-gl/maplibre-gl.mjs';
import qrcode from '/map/lib/qrcode-generator/qrcode.mjs';
import { t, pick, applyStatic, toggleLang, onLangChange, extend } from './i18n.js';
import { KINDS, addKind, legendRows, escapeHtml as h } from './layers.js';
import { renderReport } from './report.js';
import { addBasemap, PLAIN_STYLE } from './basemap.js';

extend({
  ja: {
    back_to_map: '地図へ戻る',
    print: '印刷（A4）',
    loading: '読み込み中…',
    report_heading: '小規模多機能型居宅介護 計画予定地 評価報告書',
    created: '作成日時',
    dataset: 'データ',
    result_id: '結果ID',
    changed_note: '注意: 現在のデータで評価し直すと結果が異なります（更新されたレイヤ: {layers}）。この報告書は作成時のデータによる結果です。',
    same_answer_note: 'データは作成後に更新されていますが（{layers}）、現在のデータでも結果の概要は同じです。',
    not_found: 'この結果は見つかりません。',
    map_note: '地図のレイヤは現在のデータです。',
    rubric_table: '評価基準の配点表',
    this_site: 'この候補地',
    none_zone: '区域外',
    inside: '区域内',
    yellow: '警戒区域',
    red: '特別警戒区域',
    rubric_gone: 'この評価基準は現在提供されていないため配点表を表示できません。',
    disclaimer: '本報告書は、公開されている都市計画・ハザード情報と市の選定基準（評価基準）に基づく事前確認の参考資料です。指定・許可・補助の可否を保証するものではありません。最終的な判断は市の担当部署にご確認ください。ハザード情報の「データなし」は安全を意味しません。',
  },
  en: {
    back_to_map: 'Back to the map',
    print: 'Print (A4)',
    loading: 'Loading…',
    report_heading: 'Site report — small multi-functional home-care facility',
    created: 'Created',
    dataset: 'Data',
    result_id: 'Result id',
    changed_note: 'Note: the data loaded now gives a different answer (updated layers: {layers}). This report shows the answer on the data of its creation.',
    same_answer_note: 'The data has been updated since ({layers}), but the summary of the answer is unchanged.',
    not_found: 'No such result.',
    map_note: 'Map layers show the current data.',
    rubric_table: 'Scoring table of the rubric',
    this_site: 'This site',
    none_zone: 'outside',
    inside: 'inside',
    yellow: 'warning zone (yellow)',
    red: 'special warning zone (red)',
    rubric_gone: 'This rubric is no longer offered: its table cannot be shown.',
    disclaimer: 'This report is a preliminary check based on published planning and hazard data and the city\'s rubric. It does not guarantee designation, permission or subsidy; confirm with the city. "No data" for a hazard does not mean safe.',
  },
});

const $ = (id) => document.getElementById(id);
const id = location.pathname.split('/').filter(Boolean).pop();
let result = null;
let rubric = null;

const band = (b) => (b.to_m == null ? `${b.from_m}m${pick('以上', '+')}` : b.from_m === 0 ? `${b.to_m}m${pick('未満', ' or less')}` : `${b.from_m}–${b.to_m}m`);

/** The rubric's classes → points for each hazard category, with this site's points. */
function rubricTable(report) {
  if (!rubric) return `<p class="small">${h(t('rubric_gone'))}</p>`;
  const rows = ['flood', 'river_erosion', 'landslide', 'tsunami'].map((key) => {
    const c = rubric.categories[key];
    const got = report.hazard.categories[key]?.points;
    let classes;
    if (c.bands) classes = [[t('none_zone'), c.none_points], ...c.bands.map((b) => [band(b), b.points])];
    else if (key === 'landslide') classes = [[t('none_zone'), c.points.outside], [t('yellow'), c.points.yellow], [t('red'), c.points.red]];
    else classes = [[t('none_zone'), c.points.outside], [t('inside'), c.points.inside]];
    const cells = classes.map(([label, pts]) => `${h(label)} <strong>${pts}</strong>`).join(' · ');
    return `<tr><td>${h(pick(c.label_ja, c.label_en))}</td><td>${cells}</td><td class="num">${got == null ? h(t('no_data')) : `<strong>${got}</strong>`}</td></tr>`;
  }).join('');
  return `<section class="rp-section"><h3>${h(t('rubric_table'))}</h3><table class="rp-table"><thead><tr><th>${h(t('category'))}</th><th>${h(t('points'))}</th><th>${h(t('this_site'))}</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="small">${h(pick(rubric.name_ja, rubric.name_en))} — ${h(rubric.source)}</p></section>`;
}

function render() {
  if (!result) return;
  const r = result;
  $('meta').innerHTML = `${h(t('created'))}: ${h(r.created_at)} · ${h(t('dataset'))}: ${h(r.dataset)} · ${h(t('rubric'))}: <span class="code">${h(r.report.rubric.id)}</span> · ${h(t('result_id'))}: <span class="code">${h(r.id)}</span>`;
  const url = `${location.origin}${r.url}`;
  $('link').innerHTML = `<a href="${h(url)}">${h(url)}</a>`;
  const changed = $('changed');
  const layers = r.current.changed_layers.map((k) => t(`kind_${k}`)).join('、');
  if (r.current.changed) {
    changed.textContent = r.current.note ?? t('changed_note', { layers: layers || '—' });
    changed.className = 'changed';
    changed.hidden = false;
  } else if (!r.current.same_data) {
    changed.textContent = t('same_answer_note', { layers });
    changed.className = 'changed same';
    changed.hidden = false;
  } else {
    changed.hidden = true;
  }
  $('body').innerHTML = renderReport(r.report) + (r.report.error ? '' : rubricTable(r.report));
  document.title = `${t('report_heading')} — ${r.id}`;
}

function qr(url) {
  const code = qrcode(0, 'M');
  code.addData(url);
  code.make();
  $('qr').innerHTML = code.createSvgTag({ cellSize: 3, margin: 0, scalable: true });
}

async function drawMap(report) {
  const map = new maplibregl.Map({
    container: 'sheet-map',
    style: PLAIN_STYLE,
    center: report.site.anchor,
    zoom: 15,
    interactive: false,
    attributionControl: { compact: false },
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-left');
  await new Promise((resolve) => map.once('load', resolve));
  const config = await (await fetch('/api/ui-config')).json();
  addBasemap(map, config, (key) => {
    $('basemap-note').textContent = t(key);
    $('basemap-note').hidden = false;
  });
  const shown = ['zoning', 'daily_life_area', 'flood', 'landslide', 'facility'];
  const loaded = (await (await fetch('/api/layers')).json()).layers.map((l) => l.kind);
  const legend = [];
  for (const info of KINDS.filter((k) => shown.includes(k.kind) && loaded.includes(k.kind))) {
    const data = await (await fetch(`/api/map/${info.kind}`)).json();
    addKind(map, { ...info, visible: true }, data);
    legend.push(`<li><strong>${h(t(`kind_${info.kind}`))}</strong></li>${legendRows(info, data)}`);
  }
  const site = { type: 'Feature', properties: {}, geometry: report.site.geometry };
  map.addSource('site', { type: 'geojson', data: site });
  const lines = report.facilities.nearest.filter((n) => n.location).map((n) => ({
    type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [report.site.anchor, n.location] },
  }));
  map.addSource('nearest', { type: 'geojson', data: { type: 'FeatureCollection', features: lines } });
  map.addLayer({ id: 'nearest-line', type: 'line', source: 'nearest', paint: { 'line-color': '#1c7ed6', 'line-width': 2, 'line-dasharray': [2, 1.5] } });
  if (report.site.kind === 'parcel') {
    map.addLayer({ id: 'site-line', type: 'line', source: 'site', paint: { 'line-color': '#1c3f95', 'line-width': 3 } });
    const pts = report.site.geometry.type === 'Polygon' ? report.site.geometry.coordinates[0] : report.site.geometry.coordinates.flatMap((p) => p[0]);
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 60, maxZoom: 17, animate: false });
  } else {
    map.addLayer({ id: 'site-point', type: 'circle', source: 'site', paint: { 'circle-radius': 7, 'circle-color': '#1c7ed6', 'circle-stroke-color': '#fff', 'circle-stroke-width': 3 } });
  }
  legend.push(`<li><span class="swatch box" style="background:#1c7ed6"></span>${h(t('legend_site'))}</li><li class="small">${h(t('map_note'))}</li>`);
  $('sheet-legend').innerHTML = legend.join('');
  await new Promise((resolve) => map.once('idle', resolve));
}

async function start() {
  applyStatic();
  $('lang').addEventListener('click', toggleLang);
  $('print').addEventListener('click', () => window.print());
  onLangChange(render);
  const r = await fetch(`/api/results/${encodeURIComponent(id)}`);
  if (!r.ok) {
    $('body').innerHTML = `<p class="error" role="alert">${h(t('not_found'))}</p>`;
    return;
  }
  result = await r.json();
  const rubrics = await (await fetch('/api/rubrics')).json();
  rubric = rubrics.rubrics.find((x) => x.id === result.report.rubric.id) ?? null;
  render();
  qr(`${location.origin}${result.url}`);
  if (!result.report.error) await drawMap(result.report);
  document.body.dataset.ready = 'true';
}

start().catch((err) => {
  $('body').innerHTML = `<p class="error" role="alert">${h(err.message)}</p>`;
  console.error(err);
});
