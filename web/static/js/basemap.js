// The base map: a raster tile source from the server's settings (地理院タイル by default),
// drawn under every layer. When no tile can be loaded (offline, blocked, or none set),
// `onNote` is told once, and the layers stay on the plain background.

import * as maplibregl from '/map/lib/maplibre-gl/maplibre-gl.mjs';

/** The style every page starts from: a plain background, so the page works with no base map. */
export const PLAIN_STYLE = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f3f1ea' } }],
};

/**
 * The interactive map of the map and analytics pages, in element `container`: Japan until the
 * page fits it to the loaded data, zoom buttons, a metric scale bar. Exposed as
 * `window.tekichiMap` for the browser tests and the console.
 */
export function createPageMap(container) {
  const map = new maplibregl.Map({
    container,
    style: PLAIN_STYLE,
    center: [137.5, 37.0],
    zoom: 4.5,
    attributionControl: { compact: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  window.tekichiMap = map;
  return map;
}

/** Time (ms) the first base-map tile may take before the base map counts as unavailable. */
const FIRST_TILE_TIMEOUT = 8000;

export function addBasemap(map, config, onNote) {
  if (!config.basemap_tiles) {
    onNote('basemap_none');
    return;
  }
  map.addSource('basemap', {
    type: 'raster',
    tiles: [config.basemap_tiles],
    tileSize: 256,
    maxzoom: 18,
    attribution: config.basemap_attribution,
  });
  // Added right after the background, before every other layer.
  map.addLayer({ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.9 } });
  let loadedTile = false;
  let told = false;
  const unavailable = () => {
    if (loadedTile || told) return;
    told = true;
    // Stop asking for tiles that cannot come; the layers stay on the plain background.
    map.removeLayer('basemap');
    map.removeSource('basemap');
    onNote('basemap_unavailable');
  };
  map.on('sourcedata', (e) => {
    if (e.sourceId === 'basemap' && e.tile && e.tile.state === 'loaded') loadedTile = true;
  });
  map.on('error', (e) => {
    if (e.sourceId === 'basemap') {
      unavailable();
      return;
    }
    console.error(e.error ?? e);
  });
  setTimeout(unavailable, FIRST_TILE_TIMEOUT);
}
