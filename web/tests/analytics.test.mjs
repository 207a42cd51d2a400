// The 計画分析 page (issue 7) in a real browser against the real server, offline: the
// daily-life-area choropleth and its sortable table, the suitability map with the best
// places, the what-if panel against /api/whatif and the nearest passing place; keyboard,
// English, tablet layout and no console errors. Screenshots: target/ui-screenshots/analytics-*.png

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SHOTS, startServer, launch, offlinePage, blockOutside, mapIdle } from './helpers.mjs';

let server;
let browser;
let context;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
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
  return r.json();
};

const columnTexts = (n) => page.$$eval(`#cov-table tbody tr td:nth-child(${n})`, (tds) => tds.map((td) => td.textContent.trim()));

test('the coverage choropleth draws every area, and the table sorts by gap and by name', async () => {
  const coverage = await api('/api/areas');
  await page.goto(`${server.base}/map/analytics.html`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await mapIdle(page);
  const drawn = await page.evaluate(() => new Set(window.tekichiMap.queryRenderedFeatures({ layers: ['areas-fill'] })
    .map((f) => f.properties.id)).size);
  assert.equal(drawn, coverage.areas.length, 'one coloured polygon per area');
  // The gap ramp: an area with a shortfall is drawn redder than one with a surplus.
  const colours = await page.evaluate(() => Object.fromEntries(window.tekichiMap.queryRenderedFeatures({ layers: ['areas-fill'] })
    .map((f) => [f.properties.id, f.layer.paint['fill-color'].toString()])));
  const short = coverage.areas.filter((a) => a.gap > 0).sort((a, b) => b.gap - a.gap)[0];
  const surplus = coverage.areas.filter((a) => a.gap < 0).sort((a, b) => a.gap - b.gap)[0];
  const rgba = (s) => s.match(/[\d.]+/g).map(Number);
  assert.ok(rgba(colours[short.id])[0] > rgba(colours[surplus.id])[0], `shortfall ${colours[short.id]} vs surplus ${colours[surplus.id]}`);
  assert.match(await page.textContent('#map-legend'), /不足（人）/);

  // Default order: the largest shortfall first; then ascending; then by name.
  const names = (as) => as.map((a) => a.name);
  const byGap = [...coverage.areas].sort((a, b) => a.gap - b.gap);
  assert.deepEqual(await columnTexts(1), names([...byGap].reverse()));
  assert.equal(await page.getAttribute('#cov-table th:nth-child(5)', 'aria-sort'), 'descending');
  await page.click('#cov-table button[data-sort=gap]');
  assert.deepEqual(await columnTexts(1), names(byGap));
  assert.equal(await page.getAttribute('#cov-table th:nth-child(5)', 'aria-sort'), 'ascending');
  await page.click('#cov-table button[data-sort=name]');
  assert.deepEqual(await columnTexts(1), names([...coverage.areas].sort((a, b) => a.name.localeCompare(b.name, 'ja'))));
  // The table's numbers are the API's.
  const row = await page.$$eval(`#cov-table tbody tr[data-id="${short.id}"] td`, (tds) => tds.map((td) => td.textContent.trim()));
  assert.equal(row[1], String(short.target_facilities.count));
  assert.equal(row[2].split(' ')[0], String(short.target_facilities.capacity));
  assert.equal(row[5], short.open_for_application ? '○' : '×');
  await page.screenshot({ path: join(SHOTS, 'analytics-coverage.png') });

  // A row (by keyboard) zooms to its area and highlights it.
  await page.focus(`#cov-table tbody tr[data-id="${short.id}"]`);
  await page.keyboard.press('Enter');
  await mapIdle(page);
  const hl = await page.evaluate(() => window.tekichiMap.queryRenderedFeatures({ layers: ['areas-hl'] }).map((f) => f.properties.id));
  assert.ok(hl.length > 0 && hl.every((id) => id === short.id), `highlighted: ${hl}`);
  assert.equal(await page.getAttribute(`#cov-table tbody tr[data-id="${short.id}"]`, 'aria-selected'), 'true');
  // Open / served colouring.
  await page.check('input[name=cov-mode][value=open]');
  assert.match(await page.textContent('#map-legend'), /募集圏域（未整備）/);
  await mapIdle(page);
  await page.screenshot({ path: join(SHOTS, 'analytics-coverage-open.png') });
});

test('the suitability map draws its cells and lists the best places of /api/suitability', async () => {
  const expected = await api('/api/suitability?cell=200&best=8');
  await page.click('#tab-suitability');
  await page.selectOption('#suit-cell', '200');
  await page.fill('#suit-best', '8');
  await page.click('#suit-go');
  await page.waitForSelector('body[data-suitability]', { timeout: 60000 });
  assert.equal(Number(await page.getAttribute('body', 'data-suitability')), expected.cells);
  await page.evaluate(() => window.tekichiMap.fitBounds(window.tekichiMap.getBounds(), { animate: false }));
  await mapIdle(page);
  const cells = await page.evaluate(() => window.tekichiMap.queryRenderedFeatures({ layers: ['cells-fill'] }).length);
  assert.ok(cells > 100, `rendered cells: ${cells}`);
  const ids = await page.$$eval('#best-list button[data-rank]', (bs) => bs.map((b) => b.dataset.id));
  assert.deepEqual(ids, expected.best.map((f) => f.properties.id));
  assert.ok(ids.length > 0, 'the sample city has best places');
  const firstText = await page.textContent('#best-list li:first-child');
  const p = expected.best[0].properties;
  assert.ok(firstText.includes(`${p.hazard_total}/${p.hazard_max}`), firstText);
  assert.match(await page.textContent('#suit-status'), /セル（200 m）を評価しました/);
  await page.screenshot({ path: join(SHOTS, 'analytics-suitability.png') });

  // The first place: shown on the map, its report in the panel, a permalink report.
  await page.click('#best-list button[data-rank="1"]');
  await page.waitForSelector('#place .verdict', { timeout: 15000 });
  const single = await api(`/api/assess?lon=${p.lon}&lat=${p.lat}`);
  assert.equal(single.buildability.verdict, p.verdict, 'a cell is its centre assessed as a point');
  assert.equal(await page.getAttribute('#place', 'data-verdict'), p.verdict);
  await mapIdle(page);
  const centre = await page.evaluate(() => window.tekichiMap.getCenter().toArray());
  assert.ok(Math.abs(centre[0] - p.lon) < 1e-3 && Math.abs(centre[1] - p.lat) < 1e-3, `map centre ${centre}`);
  const selected = await page.evaluate(() => window.tekichiMap.getFeatureState({ source: 'best', id: 1 }).selected);
  assert.equal(selected, true);
  const [report] = await Promise.all([context.waitForEvent('page'), page.click('#place-report')]);
  await report.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  assert.match(new URL(report.url()).pathname, /^\/r\/[0-9a-f]{12}$/);
  await report.close();

  // Coloured by hazard score instead.
  await page.selectOption('#suit-colour', 'hazard');
  assert.match(await page.textContent('#map-legend'), /ハザード評価点（15 点満点）/);
  await mapIdle(page);
  await page.screenshot({ path: join(SHOTS, 'analytics-suitability-place.png') });
});

test('a larger minimum spacing lists exactly the candidates /api/whatif says change, and the nearest passing place', async () => {
  const body = readFileSync(join(ROOT, 'data/sample-city/candidates.geojson'), 'utf8');
  const expected = await api('/api/whatif?min_spacing_m=800', {
    method: 'POST', headers: { 'content-type': 'application/geo+json' }, body,
  });
  const changed = expected.comparisons.filter((c) => c.changed.length);
  assert.ok(changed.length > 0, 'the sample city has candidates that change at 800 m');
  await page.click('#tab-whatif');
  assert.equal(await page.inputValue('#wi-spacing'), '500', 'the form starts from the rubric');
  // The tab starts from the dataset's own candidates (/api/candidates): the same sites, in order.
  await page.waitForFunction(() => /候補地 30 件を読み込みました/.test(document.querySelector('#wi-status').textContent));
  const prefilled = JSON.parse(await page.inputValue('#wi-sites'));
  assert.deepEqual(prefilled.features.map((f) => f.id), JSON.parse(body).features.map((f) => f.properties.site_id));
  // Unchanged settings: nothing changes.
  await page.click('#wi-go');
  await page.waitForFunction(() => /件中 0 件/.test(document.querySelector('#wi-status').textContent));
  assert.equal(await page.$$eval('#wi-table tbody tr', (trs) => trs.length), 0);
  await page.fill('#wi-spacing', '800');
  await page.click('#wi-go');
  await page.waitForFunction((n) => document.querySelector('#wi-status').textContent.includes(`件中 ${n} 件`), changed.length);
  const listed = await page.$$eval('#wi-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(listed, changed.map((c) => String(c.site_id)));
  assert.match(await page.textContent('#wi-status'), /min_spacing_m=800/);
  assert.match(await page.textContent('#wi-areas'), /圏域の整備状況は変わりません/);
  await mapIdle(page);
  const onMap = await page.evaluate(() => window.tekichiMap.getSource('candidates').serialize().data.features
    .filter((f) => f.properties.changed).length);
  assert.equal(onMap, changed.length, 'the changed candidates are marked on the map');
  await page.screenshot({ path: join(SHOTS, 'analytics-whatif.png') });

  // The nearest passing place of the first failing candidate, under the 800 m spacing.
  const failing = changed.find((c) => c.after.too_close);
  const feature = JSON.parse(body).features[failing.index];
  const nearest = await api('/api/whatif/nearest?min_spacing_m=800&search_radius_m=1000', {
    method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: JSON.stringify(feature),
  });
  await page.click(`#wi-table tbody tr[data-index="${failing.index}"] button.find`);
  await page.waitForSelector('#nearest[data-outcome]', { timeout: 30000 });
  const text = await page.textContent('#nearest');
  assert.ok(text.includes(nearest.failed[0].ja), `the reason: ${text}`);
  if (nearest.found) {
    assert.equal(await page.getAttribute('#nearest', 'data-outcome'), 'found');
    assert.ok(text.includes(`${Math.round(nearest.found.distance_m).toLocaleString()} m 先`), text);
    const drawn = await page.evaluate(() => window.tekichiMap.getSource('nearest').serialize().data.features.map((f) => f.properties.role));
    assert.deepEqual(drawn.sort(), ['found', 'line', 'origin']);
  } else {
    assert.equal(await page.getAttribute('#nearest', 'data-outcome'), 'none');
  }
  await mapIdle(page);
  await page.screenshot({ path: join(SHOTS, 'analytics-whatif-nearest.png') });

  // A demand override changes the areas' coverage: listed and outlined.
  const areas = await api('/api/whatif?demand_per_10000_population=80', {
    method: 'POST', headers: { 'content-type': 'application/geo+json' }, body,
  });
  await page.fill('#wi-spacing', '500');
  await page.fill('#wi-demand', '80');
  await page.click('#wi-go');
  await page.waitForSelector('#wi-areas li');
  const areaIds = await page.$$eval('#wi-areas li', (lis) => lis.map((li) => li.dataset.id));
  assert.deepEqual(areaIds, areas.areas.map((a) => a.id));
  // The choropleth and table follow the changed demand: the area's gap is the "after" one.
  await page.click('#tab-coverage');
  const first = areas.areas[0];
  const gapText = await page.textContent(`#cov-table tbody tr[data-id="${first.id}"] td:nth-child(5)`);
  assert.equal(Number(gapText.replace(/[^\d.-]/g, '')), Math.round(first.after.gap * 10) / 10, gapText);
  assert.match(await page.textContent('#cov-totals'), /人口1万人あたり 80 人/);
  await page.screenshot({ path: join(SHOTS, 'analytics-whatif-demand.png') });
});

test('keyboard tabs, English, tablet layout, and no console errors', async () => {
  await page.focus('#tab-whatif');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute('#tab-suitability', 'aria-selected'), 'true');
  assert.equal(await page.isHidden('#pane-whatif'), true);
  await page.keyboard.press('Home');
  assert.equal(await page.getAttribute('#tab-coverage', 'aria-selected'), 'true');
  await page.click('#lang');
  assert.equal(await page.textContent('#tab-coverage'), 'Area coverage');
  assert.equal(await page.textContent('#cov-table th:nth-child(5) button'), 'Gap');
  await page.click('#lang');
  assert.equal(await page.textContent('#tab-coverage'), '圏域の整備状況');
  await page.setViewportSize({ width: 768, height: 1024 });
  await mapIdle(page);
  const map = await page.locator('#map').boundingBox();
  const panel = await page.locator('#panel').boundingBox();
  assert.ok(panel.y >= map.y + map.height - 1, 'on a tablet the panel sits under the map');
  await page.screenshot({ path: join(SHOTS, 'analytics-tablet.png'), fullPage: true });
  assert.deepEqual(problems, []);
  // The pages link to each other.
  await page.click('.top-links a[href="/map/"]');
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await page.click('.top-links a[href="/map/analytics.html"]');
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  assert.equal(new URL(page.url()).pathname, '/map/analytics.html');
  assert.deepEqual(problems, []);
});
