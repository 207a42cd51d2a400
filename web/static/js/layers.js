// The layers drawn on the map: their display classes (read by the server from the
// attributes, /api/map/{kind}), colours and legend labels.
//
// Depth colours follow the 国土交通省 水害ハザードマップ作成の手引き colour scale
// (0.5 m 未満 pale yellow … 20 m 以上 purple); use districts follow the customary
// 都市計画図 colours (greens for low-rise residential, yellows/oranges for residential,
// pinks/reds for commercial, purple for quasi-industrial, blues for industrial).

import { pick } from './i18n.js';

const DEPTH = [
  ['d1', '#F7F5A9', '0.5m未満', '< 0.5 m'],
  ['d2', '#FFD8C0', '0.5〜3.0m', '0.5–3.0 m'],
  ['d3', '#FFB7B7', '3.0〜5.0m', '3.0–5.0 m'],
  ['d4', '#FF9191', '5.0〜10.0m', '5.0–10.0 m'],
  ['d5', '#F285C9', '10.0〜20.0m', '10.0–20.0 m'],
  ['d6', '#DC7ADC', '20.0m以上', '≥ 20.0 m'],
  ['unknown', '#9E9E9E', '不明（最も深い区分で評価）', 'unknown (scored as the deepest)'],
];

const ZONING = [
  ['u1', '#2E9E62', '第一種低層住居専用地域', 'Cat. 1 low-rise residential'],
  ['u2', '#7FCB8C', '第二種低層住居専用地域', 'Cat. 2 low-rise residential'],
  ['u3', '#A9D86E', '第一種中高層住居専用地域', 'Cat. 1 mid/high-rise residential'],
  ['u4', '#D4E89A', '第二種中高層住居専用地域', 'Cat. 2 mid/high-rise residential'],
  ['u5', '#F8F07A', '第一種住居地域', 'Cat. 1 residential'],
  ['u6', '#F5D37A', '第二種住居地域', 'Cat. 2 residential'],
  ['u7', '#F3B562', '準住居地域', 'Quasi-residential'],
  ['u21', '#C9B77C', '田園住居地域', 'Rural residential'],
  ['u8', '#F7A8C4', '近隣商業地域', 'Neighbourhood commercial'],
  ['u9', '#EE6B7E', '商業地域', 'Commercial'],
  ['u10', '#B58BD6', '準工業地域', 'Quasi-industrial'],
  ['u11', '#88C5EA', '工業地域', 'Industrial'],
  ['u12', '#4F86D9', '工業専用地域', 'Exclusively industrial'],
  ['unknown', '#BDBDBD', '用途不明', 'Unknown use district'],
];

/** Kinds in drawing order (bottom first) with their geometry, classes and default visibility. */
export const KINDS = [
  {
    kind: 'area_division', geom: 'polygon', visible: false, opacity: 0.3,
    classes: [
      ['urbanization', '#F2C6A0', '市街化区域', 'Urbanization area'],
      ['urbanization_control', '#9CCB8A', '市街化調整区域', 'Urbanization control area'],
      ['non_delineated', '#D9CBA0', '非線引き都市計画区域', 'Non-delineated planning area'],
      ['unknown', '#BDBDBD', '区分不明', 'Unknown division'],
    ],
  },
  {
    kind: 'farmland', geom: 'polygon', visible: false, opacity: 0.45,
    classes: [['farmland', '#B5D99C', '農用地区域', 'Agricultural promotion area']],
  },
  { kind: 'zoning', geom: 'polygon', visible: true, opacity: 0.45, classes: ZONING },
  {
    kind: 'daily_life_area', geom: 'polygon', visible: true, opacity: 0.12, outline: 2.5,
    classes: [
      ['open', '#2B8A3E', '募集圏域（未整備）', 'Open for application'],
      ['served', '#5C6B7A', '整備済み', 'Served'],
      ['unknown', '#9E9E9E', '不明', 'Unknown'],
    ],
  },
  { kind: 'flood', geom: 'polygon', visible: true, opacity: 0.7, classes: DEPTH },
  { kind: 'tsunami', geom: 'polygon', visible: false, opacity: 0.7, classes: DEPTH },
  {
    kind: 'river_erosion', geom: 'polygon', visible: false, opacity: 0.45,
    classes: [
      ['bank_erosion', '#D7263D', '河岸侵食', 'Bank erosion'],
      ['overflow', '#8E1B2B', '氾濫流', 'Overflow'],
      ['erosion', '#D7263D', '家屋倒壊等氾濫想定区域', 'House-collapse zone'],
      ['unknown', '#D7263D', '種別不明', 'Unknown type'],
    ],
  },
  {
    kind: 'landslide', geom: 'polygon', visible: true, opacity: 0.6,
    classes: [
      ['steep_slope_yellow', '#FFE600', '急傾斜地の崩壊 警戒区域', 'Steep slope — warning (yellow)'],
      ['steep_slope_red', '#E60012', '急傾斜地の崩壊 特別警戒区域', 'Steep slope — special warning (red)'],
      ['debris_flow_yellow', '#F5C400', '土石流 警戒区域', 'Debris flow — warning (yellow)'],
      ['debris_flow_red', '#B8000E', '土石流 特別警戒区域', 'Debris flow — special warning (red)'],
      ['landslide_yellow', '#E8D44D', '地すべり 警戒区域', 'Landslide — warning (yellow)'],
      ['landslide_red', '#9C0010', '地すべり 特別警戒区域', 'Landslide — special warning (red)'],
      ['other_yellow', '#FFE600', '警戒区域（現象不明）', 'Warning zone (phenomenon unknown)'],
      ['other_red', '#E60012', '特別警戒区域（現象不明）', 'Special warning zone (phenomenon unknown)'],
      ['unknown', '#E60012', '区域不明（特別警戒として評価）', 'Unknown zone (scored as red)'],
    ],
  },
  {
    kind: 'facility', geom: 'point', visible: true,
    classes: [
      ['small_multi', '#C2255C', '小規模多機能型居宅介護', 'Small multi-functional home care'],
      ['nursing_small_multi', '#E8590C', '看護小規模多機能型居宅介護', 'Nursing small multi-functional'],
      ['group_home', '#5F3DC4', 'グループホーム', 'Group home'],
      ['care_plaza', '#1971C2', '地域包括支援センター', 'Community support centre'],
      ['hospital', '#2F9E44', '病院', 'Hospital'],
    ],
    other: ['#495057', 'その他の事業所', 'Other facilities'],
  },
];

export function kindInfo(kind) {
  return KINDS.find((k) => k.kind === kind);
}

/** MapLibre `match` expression colouring `class` by the kind's table. */
export function colourExpression(info) {
  const expr = ['match', ['get', 'class']];
  for (const [cls, colour] of info.classes) expr.push(cls, colour);
  expr.push(info.other ? info.other[0] : '#9E9E9E');
  return expr;
}

/** Label of a class in the current language. */
export function classLabel(info, cls) {
  const row = info.classes.find((c) => c[0] === cls);
  if (row) return pick(row[2], row[3]);
  return info.other ? pick(info.other[1], info.other[2]) : cls;
}

/** Adds a kind's source and layers to `map` (before the site layers, if present). */
export function addKind(map, info, data, before) {
  const id = `k-${info.kind}`;
  map.addSource(id, { type: 'geojson', data });
  const visibility = info.visible ? 'visible' : 'none';
  if (info.geom === 'point') {
    map.addLayer({
      id: `${id}-circle`, type: 'circle', source: id,
      layout: { visibility },
      paint: {
        'circle-radius': 6, 'circle-color': colourExpression(info),
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
      },
    }, before);
    return [`${id}-circle`];
  }
  map.addLayer({
    id: `${id}-fill`, type: 'fill', source: id,
    layout: { visibility },
    paint: { 'fill-color': colourExpression(info), 'fill-opacity': info.opacity },
  }, before);
  map.addLayer({
    id: `${id}-line`, type: 'line', source: id,
    layout: { visibility },
    paint: {
      'line-color': colourExpression(info),
      'line-width': info.outline ?? 0.8,
      'line-opacity': info.outline ? 0.9 : 0.8,
    },
  }, before);
  return [`${id}-fill`, `${id}-line`];
}

/** Legend rows (HTML) of the classes present in `data`, in the table's order. */
export function legendRows(info, data) {
  const present = new Set(data.features.map((f) => f.properties.class));
  const rows = info.classes.filter(([cls]) => present.has(cls));
  const known = new Set(info.classes.map((c) => c[0]));
  if (info.other && [...present].some((c) => !known.has(c))) rows.push(['other', ...info.other]);
  return rows
    .map(([, colour, ja, en]) => {
      const shape = info.geom === 'point' ? 'dot' : 'box';
      return `<li><span class="swatch ${shape}" style="background:${colour}"></span>${escapeHtml(pick(ja, en))}</li>`;
    })
    .join('');
}

export function escapeHtml(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
