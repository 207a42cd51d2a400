// Renders one site report (docs/report.md) as HTML, in the current language.
// Missing data is always shown as such ("no data"), never as a safe or clear result.

import { t, pick } from './i18n.js';
import { escapeHtml as h } from './layers.js';

const VERDICT_CLASS = {
  buildable: 'v-ok',
  conditional: 'v-warn',
  not_buildable: 'v-bad',
  unknown: 'v-unknown',
};

export function verdictLabel(v) {
  return v ? t(`verdict_${v}`) : t('verdict_error');
}

export function verdictBadge(v) {
  return `<span class="verdict ${VERDICT_CLASS[v] ?? 'v-unknown'}">${h(verdictLabel(v))}</span>`;
}

const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`);
const metres = (x) => (x == null ? '—' : `${Math.round(x).toLocaleString()} m`);
const yesNo = (b) => (b == null ? t('unknown') : b ? t('yes') : t('no'));

function compass(deg) {
  if (deg == null) return '';
  const ja = ['北', '北北東', '北東', '東北東', '東', '東南東', '南東', '南南東', '南', '南南西', '南西', '西南西', '西', '西北西', '北西', '北北西'];
  const en = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];
  const i = Math.round(deg / 22.5) % 16;
  return `${pick(ja[i], en[i])} ${Math.round(deg)}°`;
}

function section(title, body, cls = '') {
  return `<section class="rp-section ${cls}"><h3>${h(title)}</h3>${body}</section>`;
}

function buildability(b, kind) {
  const reasons = b.reasons
    .map((r) => `<tr><td>${h(pick(r.ja, r.en))}<div class="code">${h(r.code)}</div></td><td>${h(r.basis ?? '—')}</td></tr>`)
    .join('');
  const districts = b.districts
    .map((d) => `<li>${h(d.name ?? d.code ?? '?')}${kind === 'parcel' ? ` — ${pct(d.share)}` : ''}${
      b.governing_district && d.feature_id === b.governing_district.feature_id ? ` <strong>(${h(t('governing'))})</strong>` : ''}</li>`)
    .join('');
  const shares = kind === 'parcel'
    ? `<ul class="shares">
        <li>${h(t('uncovered'))}: ${pct(b.uncovered_share)}</li>
        <li>${h(t('control_share'))}: ${pct(b.control_area_share)}</li>
        <li>${h(t('farmland_share'))}: ${pct(b.farmland_share)}</li></ul>`
    : '';
  const missing = b.missing_layers.length
    ? `<p class="nodata">${h(t('missing_layers'))}: ${b.missing_layers.map((k) => h(t(`kind_${k}`))).join('、')}</p>`
    : '';
  return section(t('reasons'), `
    <table class="rp-table reasons"><thead><tr><th>${h(t('rule'))}</th><th>${h(t('basis'))}</th></tr></thead><tbody>${reasons}</tbody></table>
    <h4>${h(t('districts'))}</h4><ul>${districts || `<li class="nodata">${h(t('no_zone'))}</li>`}</ul>${shares}${missing}`);
}

function dailyLife(a) {
  if (!a || a.id == null) {
    return section(t('daily_life_area'), `<p class="nodata">${h(t('outside_areas'))}${a?.reason ? ` — ${h(a.reason)}` : ''}</p>`);
  }
  const status = a.open_for_application == null
    ? `<span class="pill v-unknown">${h(t('open_unknown'))}</span>`
    : a.open_for_application
      ? `<span class="pill v-ok">${h(t('open_area'))}</span>`
      : `<span class="pill v-warn">${h(t('served_area'))}</span>`;
  const tf = a.target_facilities;
  const existing = tf
    ? `<p>${h(t('existing_in_area'))}: ${tf.count}${tf.names.length ? `（${tf.names.map(h).join('、')}）` : ''}${
      tf.count ? ` — ${h(t('capacity'))} ${tf.capacity}${tf.capacity_unknown ? ` + ${tf.capacity_unknown} ${h(t('unknown'))}` : ''}` : ''}</p>`
    : `<p class="nodata">${h(t('open_unknown'))}</p>`;
  const others = a.areas.length > 1
    ? `<p class="small">${a.areas.map((x) => `${h(x.name ?? x.id)} ${pct(x.share)}`).join(' / ')}</p>` : '';
  return section(t('daily_life_area'), `<p class="big">${h(a.name ?? a.id)} <span class="code">${h(a.id)}</span> ${status}</p>${existing}${others}`);
}

function facilities(f) {
  const close = f.too_close == null
    ? `<span class="pill v-unknown">${h(t('too_close_unknown'))}</span>`
    : f.too_close
      ? `<span class="pill v-bad">${h(t('too_close'))}</span>`
      : `<span class="pill v-ok">${h(t('not_too_close'))}</span>`;
  const rows = f.nearest
    .map((n, i) => `<tr><td>${i + 1}</td><td>${h(n.name ?? n.feature_id)}</td><td>${h(n.type)}</td><td class="num">${metres(n.distance_m)}</td><td>${h(compass(n.bearing_deg))}</td><td>${h(n.area_id ?? '—')}</td></tr>`)
    .join('');
  const missing = f.missing_layers?.length ? `<p class="nodata">${h(t('no_data'))}</p>` : '';
  return section(t('facilities'), `
    <p>${close} ${h(t('min_spacing'))}: ${metres(f.min_spacing_m)} · ${h(t('within_radius'))} (${metres(f.radius_m)}): ${f.within_radius ?? '—'}</p>${missing}
    <table class="rp-table"><thead><tr><th>#</th><th>${h(t('name'))}</th><th>${h(t('type'))}</th><th>${h(t('distance'))}</th><th>${h(t('bearing'))}</th><th>${h(t('area'))}</th></tr></thead>
    <tbody>${rows}</tbody></table>`);
}

function hazard(hz, kind) {
  const rows = ['flood', 'river_erosion', 'landslide', 'tsunami']
    .map((key) => {
      const c = hz.categories[key];
      if (!c) return '';
      const label = h(pick(c.label_ja, c.label_en));
      if (c.points == null) {
        return `<tr class="nodata-row"><td>${label}</td><td class="num">— / ${c.max}</td><td colspan="3" class="nodata">${h(t('no_data'))}</td></tr>`;
      }
      const zones = c.zones.length
        ? c.zones.map((z) => {
          const flags = [
            z.worst_case ? t('worst_case') : '',
            z.scored === false ? t('not_scored') : '',
            z.unrecognised ? t('unrecognised') : '',
          ].filter(Boolean).map((s) => `<div class="flag">${h(s)}</div>`).join('');
          return `<div class="zone">${h(z.class)} — ${z.points}${pick('点', ' pt')}${kind === 'parcel' && z.share != null ? ` · ${pct(z.share)}` : ''} <span class="code">#${h(z.feature_id)}</span>${flags}</div>`;
        }).join('')
        : `<div class="zone">${h(t('no_zone'))}</div>`;
      return `<tr><td>${label}</td><td class="num"><strong>${c.points}</strong> / ${c.max}</td><td colspan="3">${zones}</td></tr>`;
    })
    .join('');
  const partial = hz.status === 'partial'
    ? `<p class="nodata">${h(t('partial'))}: ${hz.missing.map((k) => h(t(`kind_${k}`))).join('、')}</p>` : '';
  return section(t('hazard'), `
    <table class="rp-table hazard"><thead><tr><th>${h(t('category'))}</th><th>${h(t('points'))}</th><th colspan="3">${h(t('zone_class'))}${kind === 'parcel' ? ` · ${h(t('zone_share'))}` : ''}</th></tr></thead>
    <tbody>${rows}</tbody>
    <tfoot><tr><th>${h(t('total'))}</th><th class="num">${hz.total} / ${hz.max}${hz.status === 'partial' ? ' *' : ''}</th><th colspan="3"></th></tr></tfoot></table>${partial}`);
}

export function provenanceTable(layers) {
  const rows = layers
    .map((l) => `<tr><td>${h(t(`kind_${l.kind}`))}</td><td>${h(l.source)}</td><td>${h(l.publisher)}</td><td>${h(l.date)}</td><td class="code">${h(l.version)}</td></tr>`)
    .join('');
  return `<table class="rp-table prov"><thead><tr><th>${h(t('layer'))}</th><th>${h(t('source'))}</th><th>${h(t('publisher'))}</th><th>${h(t('date'))}</th><th>${h(t('version'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The whole report as HTML. */
export function renderReport(r) {
  const kind = r.site.kind;
  const head = `<div class="rp-head">${verdictBadge(r.error ? null : r.buildability.verdict)}
    <div class="rp-site"><div class="rp-name">${h(r.site.name ?? (kind === 'parcel' ? t('site_parcel') : t('site_point')))}</div>
    <div class="small">${r.site.name ? h(kind === 'parcel' ? t('site_parcel') : t('site_point')) : ''}${
      r.site.area_m2 != null ? `${r.site.name ? ' · ' : ''}${h(t('site_area'))} ${Math.round(r.site.area_m2).toLocaleString()} m²` : ''}${
      r.site.anchor ? `${r.site.name || r.site.area_m2 != null ? ' · ' : ''}${r.site.anchor[0].toFixed(5)}, ${r.site.anchor[1].toFixed(5)}` : ''}</div></div>
    ${r.summary ? `<div class="rp-score"><span>${h(t('hazard'))}</span><strong>${r.summary.hazard_total ?? '—'}</strong>/${r.summary.hazard_max}${r.summary.hazard_status === 'partial' ? '*' : ''}</div>` : ''}</div>`;
  if (r.error) {
    return `${head}<p class="error" role="alert">${h(t('error_prefix'))}: ${h(r.error.message)} <span class="code">${h(r.error.code)}</span></p>`;
  }
  return `${head}${buildability(r.buildability, kind)}${dailyLife(r.daily_life_area)}${facilities(r.facilities)}${hazard(r.hazard, kind)}
    ${section(t('provenance'), `${provenanceTable(r.provenance.layers)}<p class="small">${h(t('rubric'))}: <span class="code">${h(r.rubric.id)}</span> ${h(r.rubric.name_ja ?? '')}</p>`, 'prov-section')}`;
}
