// End to end in a real browser against the real server, offline: load the map, click a
// point and read the verdict, draw a parcel, search, rank a pasted list and export it,
// make the printable report and print it to PDF, switch language, tablet layout.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SHOTS, startServer, launch, offlinePage, blockOutside, pixelOf, mapIdle } from './helpers.mjs';

const VERDICT_JA = { buildable: '適', conditional: '要協議', not_buildable: '不適', unknown: '判定不可' };
let server;
let browser;
let context;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  await blockOutside(context, server.base);
  ({ page, problems } = await offlinePage(context, server.base));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = async (path, init) => {
  const r = await fetch(`${server.base}${path}`, init);
  assert.ok(r.ok, `${path}: ${r.status}`);
  return r;
};

test('the page loads offline with every layer, a legend with sources, and a note on the base map', async () => {
  const started = Date.now();
  await page.goto(`${server.base}/`);
  assert.equal(new URL(page.url()).pathname, '/map/', 'a browser at / lands on the map');
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  const firstPaint = Date.now() - started;
  const readyInPage = Number(await page.getAttribute('body', 'data-ready-ms'));
  assert.equal(await page.getAttribute('body', 'data-layers-loaded'), '9');
  await page.waitForSelector('#basemap-note:not([hidden])', { timeout: 15000 });
  assert.match(await page.textContent('#basemap-note'), /背景地図を読み込めません/);
  await mapIdle(page);
  // The layers are drawn: rendered features of the zoning, flood and facility layers.
  const drawn = await page.evaluate(() => ['k-zoning-fill', 'k-flood-fill', 'k-facility-circle', 'k-daily_life_area-fill']
    .map((id) => window.tekichiMap.queryRenderedFeatures({ layers: [id] }).length));
  assert.ok(drawn.every((n) => n > 0), `rendered features per layer: ${drawn}`);
  await page.screenshot({ path: join(SHOTS, '01-offline-map.png') });
  await page.click('#tab-layers');
  const legend = await page.textContent('#legend');
  for (const text of ['洪水浸水想定区域', '0.5m未満', '0.5〜3.0m', '募集圏域（未整備）', '第一種低層住居専用地域', '架空データ', '2026-11-23']) {
    assert.ok(legend.includes(text), `legend lacks ${text}`);
  }
  // Toggling a layer hides it.
  await page.uncheck('#legend input[data-kind=flood]');
  assert.equal(await page.evaluate(() => window.tekichiMap.getLayoutProperty('k-flood-fill', 'visibility')), 'none');
  await page.check('#legend input[data-kind=flood]');
  await page.screenshot({ path: join(SHOTS, '02-legend.png') });
  console.log(`all layers drawn: ${readyInPage} ms after navigation start (${firstPaint} ms including the redirect, as seen by the test)`);
});

test('clicking a point shows the verdict the API gives, with lines to the nearest facilities', async () => {
  await page.click('#tab-assess');
  for (const [lon, lat] of [[141.058, 38.263], [141.03, 38.285]]) {
    const expected = await (await api(`/api/assess?lon=${lon}&lat=${lat}`)).json();
    await page.evaluate(([x, y]) => window.tekichiMap.jumpTo({ center: [x, y], zoom: 14 }), [lon, lat]);
    await mapIdle(page);
    const at = await pixelOf(page, lon, lat);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((v) => document.querySelector('#report')?.dataset.verdict === v, expected.buildability.verdict);
    assert.equal(await page.textContent('#report .verdict'), VERDICT_JA[expected.buildability.verdict]);
    const text = await page.textContent('#report');
    assert.ok(text.includes(expected.buildability.reasons[0].ja), 'the first reason is shown');
    assert.ok(text.includes(expected.buildability.reasons[0].basis), 'with its legal basis');
    assert.ok(text.includes('ア 洪水浸水想定区域') && text.includes('エ 津波浸水想定区域'), 'the hazard table');
    assert.ok(text.includes(`${expected.hazard.total}`), 'the hazard total');
    await mapIdle(page);
    const lines = await page.evaluate(() => window.tekichiMap.queryRenderedFeatures({ layers: ['nearest-line'] }).length);
    assert.ok(lines > 0, 'lines to the nearest facilities are drawn');
  }
  await page.screenshot({ path: join(SHOTS, '03-point-verdict.png') });
});

test('drawing a parcel assesses the polygon', async () => {
  const [lon, lat] = [141.0235, 38.2822];
  await page.evaluate(([x, y]) => window.tekichiMap.jumpTo({ center: [x, y], zoom: 17 }), [lon, lat]);
  await mapIdle(page);
  await page.click('#draw');
  assert.equal(await page.isVisible('#draw-hint'), true);
  const c = await pixelOf(page, lon, lat);
  const corners = [[-60, -50], [60, -50], [60, 50], [-60, 50]];
  for (const [dx, dy] of corners) {
    await page.mouse.click(c.x + dx, c.y + dy);
    await page.waitForTimeout(300); // apart, so no two clicks make a double click
  }
  await page.keyboard.press('Enter'); // finish the polygon from the keyboard
  await page.waitForFunction(() => document.querySelector('#report .rp-site')?.textContent.includes('敷地'), null, { timeout: 15000 });
  const text = await page.textContent('#report');
  assert.match(text, /敷地面積 [\d,]+ m²/);
  assert.ok(text.includes('敷地に占める割合'), 'hazard shares of the parcel are shown');
  await mapIdle(page);
  const site = await page.evaluate(() => window.tekichiMap.queryRenderedFeatures({ layers: ['site-fill'] }).length);
  assert.ok(site > 0, 'the parcel is drawn');
  await page.screenshot({ path: join(SHOTS, '04-parcel.png') });
});

test('pasting coordinates and searching a name assess those places', async () => {
  await page.click('#pane-assess summary');
  await page.fill('#coords', '141.058,38.263');
  await page.click('#coords-go');
  await page.waitForFunction(() => document.querySelector('#report')?.dataset.verdict === 'not_buildable');
  const facilities = await (await api('/collections/facility/items')).json();
  const name = facilities.features[0].properties.name;
  await page.fill('#search-q', name);
  await page.press('#search-q', 'Enter');
  await page.waitForFunction((n) => document.querySelector('#report .rp-name')?.textContent === n, name);
  assert.equal(await page.textContent('#report .rp-name'), name);
});

test('a pasted candidate list is ranked as the API ranks it, sortable, linked to the map, exportable', async () => {
  const csv = readFileSync(join(ROOT, 'data/sample-city/candidates.csv'), 'utf8');
  const expected = (await (await api('/api/assess/batch?rank=true', {
    method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv,
  })).text()).trim().split('\n').map((l) => JSON.parse(l));
  await page.click('#tab-rank');
  assert.equal(await page.isVisible('#report'), false, 'one pane at a time');
  await page.fill('#rank-input', csv);
  await page.click('#rank-go');
  await page.waitForSelector('#rank-table:not([hidden])');
  const ids = await page.$$eval('#rank-table tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(ids, expected.map((r) => String(r.site.id)));
  assert.match(await page.textContent('#rank-status'), new RegExp(`${expected.length} 件を評価しました`));
  await page.screenshot({ path: join(SHOTS, '05-ranked.png') });
  // Sort by hazard points, descending on the second click.
  await page.click('#rank-table button[data-sort=hazard]');
  await page.click('#rank-table button[data-sort=hazard]');
  const hazards = await page.$$eval('#rank-table tbody tr td:nth-child(5)', (tds) => tds.map((td) => parseInt(td.textContent, 10)).filter(Number.isFinite));
  assert.deepEqual(hazards, [...hazards].sort((a, b) => b - a));
  // A row opens its report and moves the map there.
  const firstName = await page.textContent('#rank-table tbody tr:first-child td:nth-child(3)');
  await page.click('#rank-table tbody tr:first-child');
  await page.waitForSelector('#report .verdict', { state: 'visible' });
  assert.equal(await page.textContent('#report .rp-name'), firstName);
  // Export as CSV: the server's own ranked CSV, with the BOM for Excel.
  await page.click('#tab-rank');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const file = join(SHOTS, 'ranked.csv');
  await download.saveAs(file);
  const exported = readFileSync(file, 'utf8');
  assert.ok(exported.startsWith('\uFEFFrank,site_id'), exported.slice(0, 40));
  assert.equal(exported.trim().split('\n').length, expected.length + 1);
});

test('a big batch shows its progress, the first rows, and every site on the map', async () => {
  // 5,000 points on a seeded grid over the sample city.
  const lines = ['site_id,lon,lat'];
  for (let i = 0; i < 5000; i++) lines.push(`P${i},${(141.0 + (i % 100) * 0.0006).toFixed(5)},${(38.265 + Math.floor(i / 100) * 0.0008).toFixed(5)}`);
  await page.click('#tab-rank');
  // As a pasted text (page.fill types 140 kB far slower than a paste).
  await page.evaluate((v) => { document.getElementById('rank-input').value = v; }, lines.join('\n'));
  const started = Date.now();
  await page.click('#rank-go');
  await page.waitForSelector('#rank-progress:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#rank-status')?.textContent.includes('5000 件を評価しました'), null, { timeout: 60000 });
  console.log(`5,000 sites ranked and shown in the browser: ${Date.now() - started} ms`);
  assert.equal(await page.$$eval('#rank-table tbody tr', (trs) => trs.length), 1000);
  assert.match(await page.textContent('#rank-table caption'), /上位 1000 件を表示（全 5000 件/);
  const onMap = await page.evaluate(() => window.tekichiMap.getSource('ranked').serialize().data.features.length);
  assert.equal(onMap, 5000);
  await page.screenshot({ path: join(SHOTS, '05b-big-batch.png') });
});

test('the printable report is stored, reopens by its permalink, and prints to an A4 PDF', async () => {
  await page.click('#tab-assess');
  await page.fill('#coords', '141.03,38.285');
  await page.click('#coords-go');
  await page.waitForFunction(() => document.querySelector('#report .rp-site')?.textContent.includes('141.03000, 38.28500'));
  const [report] = await Promise.all([context.waitForEvent('page'), page.click('#print')]);
  await report.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  const path = new URL(report.url()).pathname;
  assert.match(path, /^\/r\/[0-9a-f]{12}$/);
  const stored = await (await api(`/api/results/${path.slice(3)}`)).json();
  assert.equal(await report.textContent('#body .verdict'), VERDICT_JA[stored.report.buildability.verdict]);
  assert.ok(await report.isVisible('#qr svg'), 'the QR code');
  assert.ok((await report.textContent('#link')).includes(path), 'the permalink');
  const body = await report.textContent('#sheet');
  for (const text of ['データの出典', '評価基準の配点表', '0.5m未満', '特別警戒区域', 'tagajo-2023', '最終的な判断は市の担当部署', '架空データ']) {
    assert.ok(body.includes(text), `report lacks ${text}`);
  }
  assert.ok(await report.isVisible('.maplibregl-ctrl-scale'), 'the map has a scale');
  assert.equal(await report.isHidden('#changed'), true, 'same data: no change note');
  await report.screenshot({ path: join(SHOTS, '06-report.png'), fullPage: true });
  const pdf = await report.pdf({ format: 'A4', printBackground: true });
  writeFileSync(join(SHOTS, 'report.pdf'), pdf);
  assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
  assert.ok(pdf.length > 20000, `PDF of ${pdf.length} bytes`);
  await report.close();
});

test('English toggle, keyboard tabs, tablet layout, and no console errors', async () => {
  await page.click('#lang');
  assert.equal(await page.textContent('#tab-assess'), 'Assess');
  assert.ok(['Suitable', 'Needs consultation', 'Not suitable', 'Cannot decide'].includes(await page.textContent('#report .verdict')));
  await page.click('#lang');
  assert.equal(await page.textContent('#tab-assess'), '評価');
  await page.focus('#tab-assess');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-rank', 'aria-selected'), 'true');
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.click('#tab-assess');
  await mapIdle(page);
  const map = await page.locator('#map').boundingBox();
  const panel = await page.locator('#panel').boundingBox();
  assert.ok(panel.y >= map.y + map.height - 1, 'on a tablet the panel sits under the map');
  await page.screenshot({ path: join(SHOTS, '07-tablet.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
