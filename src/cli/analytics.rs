//! Planner analytics commands: `tekichi areas`, `tekichi grid`, `tekichi whatif`.

use super::{load, load_rubric, open_output, BadInput, DataArgs};
use clap::{Args, ValueEnum};
use geo::Rect;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use tekichi::engine::analytics::coverage::{area_coverage, coverage_totals};
use tekichi::engine::analytics::grid::{
    best_places, best_ranks, suitability_grid, suitability_of_sites, GridExtent, GridSpec, Suitability,
};
use tekichi::engine::analytics::whatif::{compare_assessments, nearest_passing, PassCriteria, RubricOverrides};
use tekichi::engine::assess::{AssessOptions, Assessor};
use tekichi::engine::rubric::Rubric;
use tekichi::io::crs::Crs;
use tekichi::io::sites;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum AreasFormat {
    /// 圏域ごとの整備状況と合計（JSON） / JSON: every area's coverage and the totals.
    Json,
    /// 圏域を1行に1件ずつ並べた表（BOM 付き UTF-8） / One row per area, UTF-8 with a BOM for Excel.
    Csv,
    /// 圏域の形状に整備状況を付けた GeoJSON / GeoJSON: each area's polygon with its coverage.
    Geojson,
}

#[derive(Debug, Args)]
pub(super) struct RubricArgs {
    /// 評価基準ファイル (TOML). Default: the built-in data/rubrics/tagajo-2023.toml.
    #[arg(long, env = "TEKICHI_RUBRIC")]
    rubric: Option<PathBuf>,
    /// 評価基準の一時的な変更 / Rubric override KEY=VALUE (repeatable), e.g. min_spacing_m=800,
    /// landslide_phenomena=steep_slope,debris_flow, flood_bands=0-0.5:2,0.5-3:1,3-:0.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl RubricArgs {
    /// The rubric file (or the default) with the `--set` overrides applied.
    fn rubric(&self) -> anyhow::Result<Rubric> {
        let base = load_rubric(self.rubric.as_deref())?;
        let overrides = self.overrides()?;
        overrides.apply(&base).map_err(|e| BadInput(e.to_string()).into())
    }

    fn overrides(&self) -> anyhow::Result<RubricOverrides> {
        let mut pairs = Vec::with_capacity(self.set.len());
        for item in &self.set {
            let (k, v) = item.split_once('=').ok_or_else(|| {
                BadInput(format!(
                    "--set は KEY=VALUE の形で指定してください / --set {item}: write KEY=VALUE"
                ))
            })?;
            pairs.push((k.trim(), v));
        }
        RubricOverrides::from_pairs(pairs)
            .map_err(|e| BadInput(format!("評価基準の変更を読めません / --set {e}")).into())
    }
}

#[derive(Debug, Args)]
pub(super) struct AreasArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rubric: RubricArgs,
    /// 出力形式 / Output format.
    #[arg(long, value_enum, default_value_t = AreasFormat::Json)]
    format: AreasFormat,
    /// このファイルに書き出す（なし・`-` は標準出力） / Write to this file (none or `-`: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum GridFormat {
    /// セル・筆の形状に評価を付けた GeoJSON（地図用） / GeoJSON: each cell or parcel with its assessment, for a map.
    Geojson,
    /// セル・筆を1行に1件ずつ並べた表（BOM 付き UTF-8） / One row per cell or parcel, UTF-8 with a BOM for Excel.
    Csv,
    /// セル・筆を1行に1件ずつ並べた JSON / Newline-delimited JSON, one cell or parcel per line.
    Ndjson,
}

#[derive(Debug, Args)]
pub(super) struct GridArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rubric: RubricArgs,
    /// セルの一辺 (m), geodesic / Cell edge in metres.
    #[arg(long, default_value_t = 50.0)]
    cell: f64,
    /// 範囲 min_lon,min_lat,max_lon,max_lat (default: the daily-life areas).
    #[arg(long, value_delimiter = ',', num_args = 4, allow_negative_numbers = true)]
    bbox: Option<Vec<f64>>,
    /// 格子の代わりに敷地ファイルの全筆を評価 / Assess every parcel of this file instead of a grid.
    #[arg(long, conflicts_with_all = ["bbox"])]
    parcels: Option<PathBuf>,
    /// 敷地ファイルの座標参照系 / CRS of the parcel file's coordinates (default: lon/lat or the file's own).
    #[arg(long, requires = "parcels")]
    crs: Option<String>,
    /// 募集圏域内の上位 N 地点を一覧 / List the best N places in open areas (stderr and `best_rank`).
    #[arg(long, default_value_t = 0)]
    best: usize,
    /// 上位地点どうしの最小間隔 (m) / Minimum distance between listed best places (default: the rubric's spacing).
    #[arg(long)]
    separation: Option<f64>,
    /// これより多いセルの格子は断る / Refuse grids with more cells than this.
    #[arg(long, default_value_t = 2_000_000)]
    max_cells: usize,
    /// 上位地点だけを出力（地図全体は出さない） / Only the best places, not the whole map.
    #[arg(long)]
    best_only: bool,
    /// 出力形式 / Output format.
    #[arg(long, value_enum, default_value_t = GridFormat::Geojson)]
    format: GridFormat,
    /// このファイルに書き出す（なし・`-` は標準出力） / Write to this file (none or `-`: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum WhatifFormat {
    /// 変更前後の比較と最寄りの合格地点（JSON） / JSON: the comparisons and the nearest passing place.
    Json,
    /// 候補地ごとの変更前後の比較表（BOM 付き UTF-8） / One row per site, before and after, UTF-8 with a BOM.
    Csv,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["lon", "sites"])))]
pub(super) struct WhatifArgs {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rubric: RubricArgs,
    /// 候補地（GeoJSON または CSV）を変更前後の評価基準で比較 / Candidates: a GeoJSON FeatureCollection or CSV, compared under the base and the changed rubric.
    #[arg(long)]
    sites: Option<PathBuf>,
    /// 経度：1地点を比較し、合格する最寄り地点を探す / Longitude (or easting with --crs) of one point: compare it, and search the nearest place that passes (see --radius).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    lon: Option<f64>,
    /// 緯度 / Latitude (or northing with --crs) of that point.
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    lat: Option<f64>,
    /// 入力座標の座標参照系 / CRS of the input coordinates, e.g. EPSG:6677. Default: lon/lat.
    #[arg(long)]
    crs: Option<String>,
    /// 合格する最寄り地点の探索半径 (m) / Search radius for the nearest passing place (with --lon/--lat).
    #[arg(long, default_value_t = 1000.0)]
    radius: f64,
    /// 探索の刻み (m) / Search step in metres.
    #[arg(long, default_value_t = 25.0)]
    step: f64,
    /// 要協議も合格とみなす / Accept 要協議 (conditional) as passing.
    #[arg(long)]
    allow_conditional: bool,
    /// 合格とするハザード合計点の下限 / Minimum hazard total to pass.
    #[arg(long)]
    min_hazard: Option<u32>,
    /// 募集圏域内であることを求める / Require an area open for application.
    #[arg(long)]
    require_open_area: bool,
    /// 結果が変わる候補地だけを一覧 / Only list sites whose outcome changes.
    #[arg(long)]
    changed_only: bool,
    /// 出力形式 / Output format.
    #[arg(long, value_enum, default_value_t = WhatifFormat::Json)]
    format: WhatifFormat,
    /// このファイルに書き出す（なし・`-` は標準出力） / Write to this file (none or `-`: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// CSV for Japanese Excel: UTF-8 with a BOM.
fn csv_writer(out: &mut dyn Write) -> anyhow::Result<csv::Writer<&mut dyn Write>> {
    out.write_all("\u{feff}".as_bytes())?;
    Ok(csv::Writer::from_writer(out))
}

pub(super) fn areas(args: AreasArgs) -> anyhow::Result<ExitCode> {
    let rubric = args.rubric.rubric()?;
    let (catalog, _) = load(&args.data.data)?;
    if catalog.daily_life_area.is_none() {
        return Err(BadInput(format!(
            "{0}: 日常生活圏域のレイヤがありません / no daily_life_area layer is loaded",
            args.data.data.display()
        ))
        .into());
    }
    let areas = area_coverage(&catalog, &rubric);
    let mut out = open_output(args.output.as_deref())?;
    match args.format {
        AreasFormat::Json => {
            let doc = serde_json::json!({
                "rubric": rubric.id,
                "target_type": rubric.target_type,
                "demand": {
                    "basis": rubric.demand.basis,
                    "per_10000_population": rubric.demand.per_10000_population,
                    "per_10000_aged_65plus": rubric.demand.per_10000_aged_65plus,
                    "facility_capacity": rubric.demand.facility_capacity,
                },
                "totals": coverage_totals(&areas),
                "areas": areas,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        AreasFormat::Csv => {
            let mut w = csv_writer(&mut out)?;
            for a in &areas {
                w.serialize(a.row())?;
            }
            w.flush()?;
        }
        AreasFormat::Geojson => {
            let fc = geojson::FeatureCollection {
                bbox: None,
                features: areas.iter().map(|a| a.feature(&catalog)).collect(),
                foreign_members: None,
            };
            serde_json::to_writer(&mut out, &fc)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn bbox_arg(v: &[f64]) -> anyhow::Result<Rect<f64>> {
    match v {
        [a, b, c, d] if a < c && b < d => Ok(Rect::new(geo::coord! { x: *a, y: *b }, geo::coord! { x: *c, y: *d })),
        _ => Err(BadInput(
            "--bbox は 最小経度,最小緯度,最大経度,最大緯度 / --bbox min_lon,min_lat,max_lon,max_lat with min < max"
                .into(),
        )
        .into()),
    }
}

pub(super) fn grid(args: GridArgs) -> anyhow::Result<ExitCode> {
    let rubric = args.rubric.rubric()?;
    let parcels = match &args.parcels {
        Some(path) => {
            let crs = args
                .crs
                .as_deref()
                .map(Crs::parse)
                .transpose()
                .map_err(|e| BadInput(e.to_string()))?;
            Some(sites::read_sites(path, crs).map_err(|e| BadInput(e.to_string()))?)
        }
        None => None,
    };
    let extent = match &args.bbox {
        Some(v) => GridExtent::Bbox(bbox_arg(v)?),
        None => GridExtent::Auto,
    };
    let (catalog, _) = load(&args.data.data)?;
    let assessor = Assessor {
        catalog: &catalog,
        rubric: &rubric,
    };
    let started = std::time::Instant::now();
    let map: Suitability = match &parcels {
        Some(inputs) => suitability_of_sites(&assessor, inputs),
        None => suitability_grid(
            &assessor,
            &GridSpec {
                cell_m: args.cell,
                extent,
                max_cells: args.max_cells,
            },
        )
        .map_err(|e| BadInput(e.to_string()))?,
    };
    let elapsed = started.elapsed();
    let separation = args.separation.unwrap_or(rubric.min_spacing_m);
    let best = best_places(&map.places, args.best, separation);
    let ranks = best_ranks(map.places.len(), &best);
    eprintln!(
        "{} 地点を評価 / assessed {} places ({} considered) in {:.2} s",
        map.places.len(),
        map.places.len(),
        map.considered,
        elapsed.as_secs_f64()
    );
    for (rank, &i) in best.iter().enumerate() {
        let row = map.places[i].row(Some(rank + 1));
        eprintln!(
            "  {:>3}. {} ({:.5}, {:.5}) {} ハザード {}/{} 圏域 {} 最寄り {} m",
            rank + 1,
            row.id.as_str().map_or_else(|| row.id.to_string(), String::from),
            row.lon.unwrap_or(f64::NAN),
            row.lat.unwrap_or(f64::NAN),
            row.verdict_ja.unwrap_or("-"),
            row.hazard_total.unwrap_or(0),
            row.hazard_max.unwrap_or(0),
            row.area_id.as_deref().unwrap_or("-"),
            row.nearest_distance_m.map_or("-".into(), |d| format!("{d:.0}")),
        );
    }
    let order: Vec<usize> = if args.best_only {
        best.clone()
    } else {
        (0..map.places.len()).collect()
    };
    let mut out = open_output(args.output.as_deref())?;
    match args.format {
        GridFormat::Geojson => {
            let mut members = serde_json::Map::new();
            members.insert("cell_m".into(), serde_json::json!(map.cell_m));
            members.insert("rubric".into(), serde_json::json!(rubric.id));
            members.insert(
                "best".into(),
                serde_json::json!(best.iter().map(|&i| map.places[i].id.clone()).collect::<Vec<_>>()),
            );
            let fc = geojson::FeatureCollection {
                bbox: None,
                features: order.iter().map(|&i| map.places[i].feature(ranks[i])).collect(),
                foreign_members: Some(members),
            };
            serde_json::to_writer(&mut out, &fc)?;
            writeln!(out)?;
        }
        GridFormat::Ndjson => {
            for &i in &order {
                serde_json::to_writer(&mut out, &map.places[i].row(ranks[i]))?;
                writeln!(out)?;
            }
        }
        GridFormat::Csv => {
            let mut w = csv_writer(&mut out)?;
            for &i in &order {
                w.serialize(map.places[i].row(ranks[i]))?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn whatif(args: WhatifArgs) -> anyhow::Result<ExitCode> {
    let base = load_rubric(args.rubric.rubric.as_deref())?;
    let overrides = args.rubric.overrides()?;
    let changed = overrides.apply(&base).map_err(|e| BadInput(e.to_string()))?;
    let crs = args
        .crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .map_err(|e| BadInput(e.to_string()))?;
    let inputs = match (&args.sites, args.lon, args.lat) {
        (Some(path), _, _) => sites::read_sites(path, crs).map_err(|e| BadInput(e.to_string()))?,
        (None, Some(lon), Some(lat)) => vec![sites::point_site(lon, lat, crs)],
        // Invariant: clap's required "input" group guarantees sites or lon/lat.
        _ => unreachable!("clap enforces an input"),
    };
    let (catalog, _) = load(&args.data.data)?;
    let before = Assessor {
        catalog: &catalog,
        rubric: &base,
    };
    let after = Assessor {
        catalog: &catalog,
        rubric: &changed,
    };
    let options = AssessOptions::default();
    let mut comparisons = compare_assessments(&before, &after, &inputs, &options);
    let changed_count = comparisons.iter().filter(|c| !c.changed.is_empty()).count();
    if args.changed_only {
        comparisons.retain(|c| !c.changed.is_empty());
    }
    let nearest = if args.lon.is_some() {
        let criteria = PassCriteria {
            allow_conditional: args.allow_conditional,
            min_hazard_total: args.min_hazard,
            require_spacing: true,
            require_open_area: args.require_open_area,
        };
        Some(
            nearest_passing(&after, &inputs[0], &options, &criteria, args.radius, args.step)
                .map_err(|e| BadInput(e.to_string()))?,
        )
    } else {
        None
    };
    eprintln!(
        "{changed_count} / {} 件の結果が変わります / outcomes changed under {}",
        inputs.len(),
        changed.id
    );
    let mut out = open_output(args.output.as_deref())?;
    match args.format {
        WhatifFormat::Json => {
            let doc = serde_json::json!({
                "base_rubric": base.id,
                "rubric": changed.id,
                "overrides": overrides,
                "sites": inputs.len(),
                "changed": changed_count,
                "comparisons": comparisons,
                "nearest_pass": nearest,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        WhatifFormat::Csv => {
            let mut w = csv_writer(&mut out)?;
            w.write_record([
                "site_id",
                "name",
                "changed",
                "verdict_before",
                "verdict_after",
                "hazard_total_before",
                "hazard_total_after",
                "too_close_before",
                "too_close_after",
                "error_code",
            ])?;
            let text = |v: Option<String>| v.unwrap_or_default();
            for c in &comparisons {
                let (b, a) = (c.before.as_ref(), c.after.as_ref());
                let changed: Vec<String> = c
                    .changed
                    .iter()
                    .map(|f| {
                        serde_json::to_value(f)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default()
                    })
                    .collect();
                w.write_record([
                    c.site_id.as_str().map_or_else(|| c.site_id.to_string(), String::from),
                    text(c.name.clone()),
                    changed.join(";"),
                    text(b.map(|s| s.verdict.as_str().to_string())),
                    text(a.map(|s| s.verdict.as_str().to_string())),
                    text(b.map(|s| s.hazard_total.to_string())),
                    text(a.map(|s| s.hazard_total.to_string())),
                    text(b.and_then(|s| s.too_close).map(|v| v.to_string())),
                    text(a.and_then(|s| s.too_close).map(|v| v.to_string())),
                    text(c.error.as_ref().map(|e| e.code.clone())),
                ])?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
