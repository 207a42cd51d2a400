// Shared by the browser tests: the real `tekichi serve` on a free port with the sample
// city, Debian's chromium driven by playwright-core, every request off the machine
// refused (the base map is unreachable: the page runs offline).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'target/ui-screenshots');
mkdirSync(SHOTS, { recursive: true });

/** The binary under test (`TEKICHI_BIN`, default the debug build). */
export const BIN = process.env.TEKICHI_BIN ?? join(ROOT, 'target/debug/tekichi');

/** Starts `tekichi serve` on 127.0.0.1:0 (the sample city unless `source` says otherwise)
 *  and resolves with its base URL once it listens. */
export async function startServer(extraEnv = {}, source = ['--data', join(ROOT, 'data/sample-city')]) {
  const state = mkdtempSync(join(tmpdir(), 'tekichi-ui-'));
  const child = spawn(BIN, ['serve', ...source, '--bind', '127.0.0.1:0'], {
    cwd: ROOT,
    env: { ...process.env, TEKICHI_STATE_DIR: state, TEKICHI_WEB_DIR: join(ROOT, 'web'), TEKICHI_LOG: 'warn', ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`tekichi serve did not start:\n${log}`)), 60000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/http:\/\/(127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        ok(`http://${m[1]}`);
      }
    });
    child.on('exit', (code) => fail(new Error(`tekichi serve exited (${code}):\n${log}`)));
  });
  return {
    base,
    state,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => child.once('exit', ok));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
}

/**
 * A page that may reach only the server; page errors and console errors from the
 * server's own pages are collected in `problems` (failed loads of the unreachable base
 * map are expected offline and are not).
 */
export async function offlinePage(context, base) {
  const page = await context.newPage();
  const problems = [];
  const origin = new URL(base).origin;
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url ?? '';
    if (m.text().startsWith('Failed to load resource') && !url.startsWith(origin)) return;
    problems.push(`console: ${m.text()} (${url})`);
  });
  return { page, problems };
}

export async function blockOutside(context, base) {
  const origin = new URL(base).origin;
  await context.route((url) => url.origin !== origin, (route) => route.abort('internetdisconnected'));
}

/** Pixel position of a lon/lat on the page's map. */
export async function pixelOf(page, lon, lat) {
  const box = await page.locator('#map').boundingBox();
  const p = await page.evaluate(([x, y]) => window.tekichiMap.project([x, y]), [lon, lat]);
  return { x: box.x + p.x, y: box.y + p.y };
}

/** Waits until the map has finished moving and rendering. */
export async function mapIdle(page) {
  await page.evaluate(() => new Promise((ok) => {
    const map = window.tekichiMap;
    if (!map.isMoving() && map.loaded() && map.areTilesLoaded()) ok();
    else map.once('idle', ok);
  }));
}
