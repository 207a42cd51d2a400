// The GIS staff page: upload a layer (validated first, nothing stored), see every problem
// and the difference from the active version, import it as a new version, activate a
// version or roll back, read the audit log. Writes carry the bearer token.
//
// Endpoints (issue 4): POST /api/layers/{kind}[?dry_run=false] (multipart `file` fields
// plus source/publisher/date and, under 詳細設定, crs/encoding/profile/layer and repeated
// `field` mappings — only the non-empty ones are sent), POST /api/layers/{kind}/activate {version},
// POST /api/layers/{kind}/rollback, GET /api/layers/{kind}/versions, GET /api/audit.

import { t, applyStatic, toggleLang, onLangChange, extend } from './i18n.js';
import { KINDS, escapeHtml as h } from './layers.js';

extend({
  ja: {
    admin_title: 'レイヤ管理（GIS担当）',
    back_to_map: '地図へ戻る',
    token_title: '認証',
    token_label: 'アクセストークン',
    token_hint: '書き込み（取り込み・有効化・ロールバック）にはトークンが必要です。このタブを閉じると消えます。',
    upload_title: 'レイヤの取り込み',
    kind_label: 'レイヤ種別',
    files_label: 'ファイル（GeoJSON、Shapefile の zip、GeoPackage、KML、FlatGeobuf、CSV）',
    validate: '検証（取り込まない）',
    import: '取り込む（有効化はしない）',
    validating: '検証中…',
    valid: '検証に合格しました。内容を確認してから取り込んでください。',
    valid_with_rejections: '{n} 件の地物は取り込めません（一覧を参照）。残りを取り込むことはできます。',
    impact_title: '候補地・圏域への影響',
    impact_line: '候補地 {candidates} 件中 {changed} 件の結果が変わります（判定 {verdict} 件、ハザード点 {hazard} 件）。圏域 {areas} 件。',
    invalid: '取り込めません。次の問題を直してください。',
    imported: 'バージョン {version} として保存しました（まだ有効ではありません）。',
    counts_read: '読込', counts_accepted: '採用', counts_repaired: '修復', counts_rejected: '却下', counts_flagged: '要確認',
    problem_feature: '地物', problem_status: '状態', problem_code: 'コード', problem_message: '内容',
    diff_title: '有効な版との差分',
    versions_title: 'バージョン',
    rollback: '一つ前の版に戻す',
    activate: '有効にする',
    active: '有効',
    activated: 'バージョン {version} を有効にしました。',
    rolled_back: 'バージョン {version} に戻しました。',
    audit_title: '変更履歴',
    at: '日時', actor: '実行者', action: '操作', detail: '内容', features: '地物数', created: '作成',
    not_available: 'この機能のエンドポイントがサーバにありません（{status}）。',
    advanced_title: '詳細設定（座標参照系・文字コード・属性）',
    advanced_hint: '通常は空欄のままで構いません。空欄の項目はファイルから読み取るか、自動で判定します。',
    crs_label: '座標参照系（CRS）',
    crs_help: '空欄ならファイルの記載（.prj、GeoPackage、GeoJSON の crs）を使い、記載がなければ経緯度（EPSG:6668）とみなします。指定するとファイルの記載より優先します。',
    crs_geographic: 'JGD2011 経緯度',
    crs_plane: '{datum} 平面直角座標系 第{zone}系',
    crs_wgs84: 'WGS84 経緯度（JGD2011 として扱います）',
    crs_tokyo: '旧日本測地系（Tokyo）経緯度',
    encoding_label: '文字コード',
    encoding_auto: '自動判定（.cpg または判別）',
    encoding_help: '自動判定なら、シェープファイルの .cpg、なければ UTF-8 か Shift_JIS かを判別します。属性が文字化けするときに指定してください。',
    profile_label: '属性プロファイル',
    profile_auto: '自動判定',
    profile_ksj: 'KSJ 国土数値情報',
    profile_reinfolib: '不動産情報ライブラリ',
    profile_plateau: 'PLATEAU',
    profile_mhlw_kaigo: '介護サービス情報公表 CSV',
    profile_generic: '汎用',
    profile_help: '自動判定なら、属性名から提供元の形式を判定します。判定が違うときに指定してください。',
    layer_label: 'レイヤー名',
    layer_help: '空欄ならファイルの唯一のレイヤーを読みます。GeoPackage や KML に複数のレイヤーがあるときは名前を指定してください（ない名前を指定すると一覧が表示されます）。',
    field_map_label: '属性の対応付け',
    field_map_help: '1行に1つ「項目=元の列名」（例 depth=浸水深）。空欄ならプロファイルの既定の列名を読みます。',
    detected: '読み取り設定: プロファイル {profile}, 文字コード {encoding}, CRS {crs}',
    detected_layer: ', レイヤー {layer}（{n} 件中）',
  },
  en: {
    admin_title: 'Layer administration (GIS staff)',
    back_to_map: 'Back to the map',
    token_title: 'Authentication',
    token_label: 'Access token',
    token_hint: 'Writes (import, activate, roll back) need a token. It is forgotten when this tab closes.',
    upload_title: 'Import a layer',
    kind_label: 'Layer kind',
    files_label: 'Files (GeoJSON, zipped Shapefile, GeoPackage, KML, FlatGeobuf, CSV)',
    validate: 'Validate (store nothing)',
    import: 'Import (not activated)',
    validating: 'Validating…',
    valid: 'Validation passed. Check the report, then import.',
    valid_with_rejections: '{n} features cannot be imported (see the list); the rest can be.',
    impact_title: 'Effect on candidates and areas',
    impact_line: '{changed} of {candidates} candidate sites would change (verdict {verdict}, hazard points {hazard}); {areas} areas.',
    invalid: 'Cannot be imported. Fix these problems.',
    imported: 'Stored as version {version} (not active yet).',
    counts_read: 'read', counts_accepted: 'accepted', counts_repaired: 'repaired', counts_rejected: 'rejected', counts_flagged: 'flagged',
    problem_feature: 'Feature', problem_status: 'Status', problem_code: 'Code', problem_message: 'Message',
    diff_title: 'Difference from the active version',
    versions_title: 'Versions',
    rollback: 'Roll back to the previous version',
    activate: 'Activate',
    active: 'active',
    activated: 'Version {version} is active.',
    rolled_back: 'Rolled back to version {version}.',
    audit_title: 'Audit log',
    at: 'When', actor: 'Who', action: 'Action', detail: 'Detail', features: 'Features', created: 'Created',
    not_available: 'The server has no endpoint for this ({status}).',
    advanced_title: 'Advanced settings (CRS, encoding, attributes)',
    advanced_hint: 'Usually leave these empty: an empty setting is read from the file or detected.',
    crs_label: 'Coordinate reference system (CRS)',
    crs_help: 'Empty: the file\'s own (.prj, GeoPackage, GeoJSON crs), or lon/lat (EPSG:6668) when it states none. A CRS given here overrides the file\'s.',
    crs_geographic: 'JGD2011 lon/lat',
    crs_plane: '{datum} Japan Plane Rectangular CS {zone}',
    crs_wgs84: 'WGS 84 lon/lat (read as JGD2011)',
    crs_tokyo: 'Tokyo datum lon/lat (old Japanese datum)',
    encoding_label: 'Text encoding',
    encoding_auto: 'Automatic (.cpg, else detected)',
    encoding_help: 'Automatic: the shapefile\'s .cpg, else UTF-8 or Shift_JIS is detected. Set it when attribute text comes out garbled.',
    profile_label: 'Attribute profile',
    profile_auto: 'Automatic (detected)',
    profile_ksj: 'KSJ (National Land Numerical Information)',
    profile_reinfolib: 'Real Estate Information Library',
    profile_plateau: 'PLATEAU',
    profile_mhlw_kaigo: 'Care service information (MHLW) CSV',
    profile_generic: 'Generic',
    profile_help: 'Automatic: the publisher\'s schema is recognised from the attribute names. Set it when the detection is wrong.',
    layer_label: 'Layer name',
    layer_help: 'Empty: the file\'s only layer. A GeoPackage or KML with several layers needs the name (a wrong name lists them).',
    field_map_label: 'Attribute mapping',
    field_map_help: 'One name=column per line (e.g. depth=浸水深). Empty: the profile\'s usual column names are read.',
    detected: 'Read with: profile {profile}, encoding {encoding}, CRS {crs}',
    detected_layer: ', layer {layer} (of {n})',
  },
});

const $ = (id) => document.getElementById(id);
const kind = () => $('kind').value;

function auth() {
  const token = $('token').value.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Fetches JSON; a problem+json error becomes an Error carrying the problem. */
async function call(url, init = {}) {
  const r = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), ...auth() } });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const err = new Error(r.status === 404 || r.status === 405 ? t('not_available', { status: r.status }) : body?.detail ?? `${r.status}`);
    err.problem = body;
    err.status = r.status;
    throw err;
  }
  return body;
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII', 'XIV', 'XV', 'XVI', 'XVII', 'XVIII', 'XIX'];

/** The CRS suggestions: JGD2011 lon/lat, its 19 plane zones (6669–6687), JGD2000's (2443–2461), WGS 84, Tokyo. */
function crsChoices() {
  const plane = (datum, first) => ROMAN.map((zone, i) => [`EPSG:${first + i}`, t('crs_plane', { datum, zone })]);
  const choices = [['EPSG:6668', t('crs_geographic')], ...plane('JGD2011', 6669), ...plane('JGD2000', 2443),
    ['EPSG:4326', t('crs_wgs84')], ['EPSG:4301', t('crs_tokyo')]];
  $('crs-list').innerHTML = choices.map(([v, label]) => `<option value="${v}">${h(label)}</option>`).join('');
}

/** The advanced form fields as the server names them, with the element holding each. */
const ADVANCED = { crs: 'crs', encoding: 'encoding', profile: 'profile', layer: 'layer', field: 'field-map' };

/** Shows a problem's message next to its form field; false when the field has no place on the form. */
function showFieldError(field, message) {
  const id = ADVANCED[field];
  if (!id) return false;
  const box = $(`${id}-error`);
  box.textContent = box.hidden ? message : `${box.textContent} ${message}`;
  box.hidden = false;
  $(id).setAttribute('aria-invalid', 'true');
  $('advanced').open = true;
  return true;
}

function clearFieldError(id) {
  $(`${id}-error`).hidden = true;
  $(`${id}-error`).textContent = '';
  $(id).removeAttribute('aria-invalid');
}

function setStatus(id, text, error = false) {
  $(id).textContent = text;
  $(id).classList.toggle('error', error);
}

function problemsTable(problems) {
  if (!problems?.length) return '';
  const at = (p) => {
    const n = p.feature ?? p.index;
    return `${p.file ?? ''}${n === undefined || n === null || n === '' ? '' : ` #${n}`}`.trim();
  };
  const rows = problems.map((p) => `<tr><td>${h(at(p))}</td><td>${h(p.status ?? '')}</td><td class="code">${h(p.code ?? '')}</td><td>${h(p.message ?? p.reason ?? '')}</td></tr>`).join('');
  return `<table class="rp-table"><thead><tr><th>${h(t('problem_feature'))}</th><th>${h(t('problem_status'))}</th><th>${h(t('problem_code'))}</th><th>${h(t('problem_message'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function diffBlock(diff) {
  if (!diff) return '';
  const rows = Object.entries(diff)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `<tr><td>${h(k)}</td><td class="num">${h(v)}</td></tr>`).join('');
  const lists = Object.entries(diff)
    .filter(([, v]) => Array.isArray(v) && v.length)
    .map(([k, v]) => `<p class="small"><strong>${h(k)}</strong>: ${v.slice(0, 50).map((x) => h(typeof x === 'object' ? JSON.stringify(x) : x)).join(', ')}${v.length > 50 ? ' …' : ''}</p>`).join('');
  return `<h3>${h(t('diff_title'))}</h3><table class="rp-table"><tbody>${rows}</tbody></table>${lists}`;
}

/** Renders an import answer: the ImportReport (possibly under `report`) and a diff. */
function renderValidation(body) {
  const report = body?.report ?? body;
  const c = report?.counts;
  const counts = c ? `<div class="counts">${['read', 'accepted', 'repaired', 'rejected', 'flagged']
    .map((k) => `<span class="${k === 'rejected' && c[k] ? 'bad' : ''}">${h(t(`counts_${k}`))}: ${c[k]}</span>`).join('')}</div>` : '';
  // What the server read each file with: detected, or as given under 詳細設定.
  const many = (report?.datasets?.length ?? 0) > 1;
  const datasets = (report?.datasets ?? []).map((d) => `<p class="detected">${many ? `${h(d.name)}: ` : ''}${h(t('detected', {
    profile: d.profile ? t(`profile_${d.profile}`) : '?', encoding: d.encoding, crs: d.crs,
  }))}${d.layers?.length > 1 ? h(t('detected_layer', { layer: d.layer, n: d.layers.length })) : ''}</p><p class="small">${h(d.name)} — ${h(d.driver)} · ${h(t('features'))} ${d.features}</p>`).join('');
  const im = body?.impact;
  const impact = im ? `<h3>${h(t('impact_title'))}</h3><p>${h(t('impact_line', {
    candidates: im.candidates, changed: im.candidates_changed, verdict: im.verdict_changed, hazard: im.hazard_total_changed, areas: im.areas_changed,
  }))}</p>` : '';
  const summary = body?.summary ? `<pre class="summary">${h(body.summary)}</pre>` : '';
  $('validation').innerHTML = summary + datasets + counts + problemsTable(report?.problems) + diffBlock(body?.diff) + impact;
}

function upload(dryRun) {
  const data = new FormData();
  for (const f of $('files').files) data.append('file', f, f.name);
  for (const k of ['source', 'publisher', 'date', 'crs', 'encoding', 'profile', 'layer']) {
    const v = $(k).value.trim();
    if (v) data.append(k, v);
  }
  for (const line of $('field-map').value.split('\n')) if (line.trim()) data.append('field', line.trim());
  return call(`/api/layers/${kind()}${dryRun ? '' : '?dry_run=false'}`, { method: 'POST', body: data });
}

async function validate(e) {
  e.preventDefault();
  $('import').disabled = true;
  setStatus('upload-status', t('validating'));
  $('validation').innerHTML = '';
  for (const id of Object.values(ADVANCED)) clearFieldError(id);
  try {
    const body = await upload(true);
    renderValidation(body);
    const c = (body?.report ?? body)?.counts;
    const rejected = c?.rejected ?? 0;
    // Rejected features do not block an import (issue 4): they are left out and listed.
    const usable = (c?.accepted ?? 0) > 0;
    setStatus('upload-status', !usable ? t('invalid') : rejected ? t('valid_with_rejections', { n: rejected }) : t('valid'), rejected > 0);
    $('import').disabled = !usable;
  } catch (err) {
    setStatus('upload-status', `${t('invalid')} ${err.message}`, true);
    if (err.problem) {
      renderValidation(err.problem);
      // A form mistake (crs=EPSG:99999) is shown next to its field; the rest in a table.
      const rest = (err.problem.errors ?? []).filter((x) => !showFieldError(x.field, x.message));
      if (rest.length) $('validation').innerHTML += problemsTable(rest.map((x) => ({ ...x, file: x.field ?? x.file, feature: x.index ?? x.feature ?? '', message: x.message })));
    }
  }
}

async function doImport() {
  try {
    const body = await upload(false);
    setStatus('upload-status', t('imported', { version: body?.version ?? '?' }));
    $('import').disabled = true;
    await refresh();
  } catch (err) {
    setStatus('upload-status', err.message, true);
  }
}

async function refresh() {
  try {
    const body = await call(`/api/layers/${kind()}/versions`);
    const versions = body?.versions ?? body ?? [];
    $('versions').innerHTML = `<thead><tr><th>#</th><th>${h(t('created'))}</th><th>${h(t('source'))}</th><th>${h(t('date'))}</th><th>${h(t('features'))}</th><th></th></tr></thead><tbody>${
      versions.map((v) => `<tr><td>${v.version}</td><td>${h(v.created_at)}</td><td>${h(v.source)}</td><td>${h(v.date)}</td><td class="num">${h(v.feature_count ?? '')}</td><td>${
        v.active ? `<span class="ok-text">${h(t('active'))}</span>` : `<button type="button" data-activate="${v.version}">${h(t('activate'))}</button>`}</td></tr>`).join('')}</tbody>`;
  } catch (err) {
    $('versions').innerHTML = '';
    setStatus('versions-status', err.message, true);
  }
  try {
    const body = await call('/api/audit');
    const entries = body?.entries ?? body ?? [];
    $('audit').innerHTML = `<thead><tr><th>${h(t('at'))}</th><th>${h(t('actor'))}</th><th>${h(t('action'))}</th><th>${h(t('layer'))}</th><th>${h(t('detail'))}</th></tr></thead><tbody>${
      entries.map((a) => `<tr><td>${h(a.at)}</td><td>${h(a.actor)}</td><td>${h(a.action)}</td><td>${h(a.kind ?? '')} ${h(a.version ?? '')}</td><td>${h(a.detail)}</td></tr>`).join('')}</tbody>`;
  } catch {
    $('audit').innerHTML = '';
  }
}

async function activate(version) {
  try {
    await call(`/api/layers/${kind()}/activate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version }),
    });
    setStatus('versions-status', t('activated', { version }));
  } catch (err) {
    setStatus('versions-status', err.message, true);
  }
  await refresh();
}

async function rollback() {
  try {
    const body = await call(`/api/layers/${kind()}/rollback`, { method: 'POST' });
    setStatus('versions-status', t('rolled_back', { version: body?.version ?? '?' }));
  } catch (err) {
    setStatus('versions-status', err.message, true);
  }
  await refresh();
}

function kinds() {
  $('kind').innerHTML = KINDS.map((k) => `<option value="${k.kind}">${h(t(`kind_${k.kind}`))} (${k.kind})</option>`).join('');
}

function start() {
  applyStatic();
  kinds();
  crsChoices();
  $('token').value = sessionStorage.getItem('tekichi.token') ?? '';
  $('token').addEventListener('change', () => sessionStorage.setItem('tekichi.token', $('token').value.trim()));
  $('lang').addEventListener('click', toggleLang);
  onLangChange(() => {
    const selected = kind();
    kinds();
    $('kind').value = selected;
    crsChoices();
  });
  for (const id of Object.values(ADVANCED)) $(id).addEventListener('input', () => clearFieldError(id));
  $('upload').addEventListener('submit', validate);
  $('import').addEventListener('click', doImport);
  $('rollback').addEventListener('click', rollback);
  $('kind').addEventListener('change', refresh);
  $('versions').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-activate]');
    if (b) activate(Number(b.dataset.activate));
  });
  refresh();
  document.body.dataset.ready = 'true';
}

start();
