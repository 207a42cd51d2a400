//! The `tekichi` command line: argument parsing and glue around the engine and IO adapters.

mod analytics;
mod ingest;
mod token;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekichi::engine::assess::{AssessOptions, Assessor, SiteInput};
use tekichi::engine::catalog::Catalog;
use tekichi::engine::rubric::Rubric;
use tekichi::io::batch::write_batch;
use tekichi::io::crs::Crs;
use tekichi::io::layers::{load_dir, LoadReport};
use tekichi::io::output::{Format, ReportWriter};
use tekichi::io::sites;
use tekichi::server::{Application, Settings};

/// 適地 tekichi — 小規模多機能型居宅介護の計画予定地を、用途地域・日常生活圏域・既存事業所・
/// ハザードで評価します。Site suitability for small multi-functional home-care facilities.
#[derive(Debug, Parser)]
#[command(name = "tekichi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 候補地を評価する / Assess one site or a batch of sites.
    Assess(AssessArgs),
    /// 読み込んだレイヤの一覧 / List the layers a data directory loads.
    Layers(LayersArgs),
    /// 評価 API と地図を HTTP で提供する / Serve the HTTP API, the map and the layers as OGC API – Features.
    Serve(ServeArgs),
    /// レイヤファイルを検証してストアに取り込む / Validate a layer file and store it as a new version.
    Import(ingest::ImportArgs),
    /// 日常生活圏域ごとの整備状況（事業所・定員・推計需要・不足） / Daily-life-area coverage: facilities, capacity, demand, gap.
    Areas(analytics::AreasArgs),
    /// 適地マップ（格子または全筆）と募集圏域内の上位地点 / Suitability map over a grid or parcels, best places in open areas.
    Grid(analytics::GridArgs),
    /// 評価基準を変えたら結果がどう変わるか / What-if: compare candidates under a changed rubric; nearest passing place.
    Whatif(analytics::WhatifArgs),
    /// 書き込み用トークンの作成・ハッシュ化 / Make a write token for the HTTP layer endpoints, or hash one.
    Token(token::TokenArgs),
}

#[derive(Debug, Args)]
struct DataArgs {
    /// データディレクトリ (manifest.toml, or zoning.geojson, flood.geojson, …).
    #[arg(long, env = "TEKICHI_DATA", default_value = "data/sample-city")]
    data: PathBuf,
    /// レイヤストア (SQLite): use its active versions instead of --data.
    #[arg(long)]
    store: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["lon", "site", "sites"])))]
struct AssessArgs {
    #[command(flatten)]
    data: DataArgs,
    /// 評価基準ファイル (TOML). Default: data/rubrics/tagajo-2023.toml (built in).
    #[arg(long, env = "TEKICHI_RUBRIC")]
    rubric: Option<PathBuf>,
    /// 経度 (or easting x with --crs).
    #[arg(long, requires = "lat", allow_negative_numbers = true)]
    lon: Option<f64>,
    /// 緯度 (or northing y with --crs).
    #[arg(long, requires = "lon", allow_negative_numbers = true)]
    lat: Option<f64>,
    /// 候補地1件の GeoJSON（Feature または形状） / One site: a GeoJSON Feature or geometry (Point, Polygon, MultiPolygon).
    #[arg(long)]
    site: Option<PathBuf>,
    /// 複数の候補地（GeoJSON または CSV） / Many sites: a GeoJSON FeatureCollection or a CSV (lon/lat or WKT column; UTF-8 or Shift_JIS).
    #[arg(long)]
    sites: Option<PathBuf>,
    /// 入力座標の座標参照系 / CRS of the input coordinates, e.g. EPSG:6677 (JGD2011 plane rectangular IX). Default: lon/lat.
    #[arg(long)]
    crs: Option<String>,
    /// 出力形式 / Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// 評価の良い順に並べる / Best candidates first: verdict, hazard total, spacing.
    #[arg(long)]
    rank: bool,
    /// 一覧する最寄り事業所の数 / Number of nearest facilities listed (default: the rubric's, 5).
    #[arg(long)]
    k: Option<usize>,
    /// 一覧・計数する事業所の種別（カンマ区切り） / Facility types listed and counted, comma-separated (default: the rubric's target type).
    #[arg(long, value_delimiter = ',')]
    types: Option<Vec<String>>,
    /// このファイルに書き出す（なし・`-` は標準出力） / Write to this file (none or `-`: standard output).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LayersFormat {
    /// 一覧表 / A table to read.
    Text,
    /// レイヤごとの件数・出典・読めなかった値（JSON） / JSON: per layer its counts, source and unreadable values.
    Json,
}

#[derive(Debug, Args)]
struct LayersArgs {
    #[command(subcommand)]
    action: Option<ingest::LayersAction>,
    #[command(flatten)]
    data: DataArgs,
    /// 出力形式 / Output format.
    #[arg(long, value_enum, default_value_t = LayersFormat::Text)]
    format: LayersFormat,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// 設定ファイル (TOML). TEKICHI_* environment variables override it; these flags override both.
    #[arg(long, env = "TEKICHI_CONFIG")]
    config: Option<PathBuf>,
    /// データディレクトリ (default: data/sample-city).
    #[arg(long)]
    data: Option<PathBuf>,
    /// 既定の評価基準ファイル (TOML). Default: the built-in data/rubrics/tagajo-2023.toml.
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// 評価基準ディレクトリ: every *.toml in it is offered by id (?rubric=).
    #[arg(long)]
    rubric_dir: Option<PathBuf>,
    /// 待ち受けアドレス / Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
    #[arg(long)]
    bind: Option<std::net::SocketAddr>,
    /// レイヤストア (SQLite): serve its active versions instead of --data, and accept uploads and activation over HTTP.
    #[arg(long)]
    store: Option<PathBuf>,
}

/// A user error (exit code 2) as opposed to an internal one (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct BadInput(String);

/// Runs the command line and maps errors to exit codes: 0 ok (also when the reader of the
/// output closed it early), 2 bad input, 1 internal error.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assess(args) => assess(args),
        Command::Layers(args) => layers(args),
        Command::Serve(args) => serve(args),
        Command::Import(args) => ingest::import(args),
        Command::Areas(args) => analytics::areas(args),
        Command::Grid(args) => analytics::grid(args),
        Command::Whatif(args) => analytics::whatif(args),
        Command::Token(args) => token::run(args),
    };
    match result {
        Ok(code) => code,
        // Whoever read the output stopped early (`tekichi assess … | head`), as with any
        // Unix filter: nothing failed.
        Err(e) if reader_went_away(&e) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<BadInput>().is_some() => {
            eprintln!("エラー / error: {e:#}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("内部エラー / internal error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether the error is a write into a pipe whose reader has closed it.
fn reader_went_away(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Where a command writes: the `--output` file, or standard output when there is none or
/// it is `-`. Buffered in 1 MiB pieces: a full report is about 6 kB, and std's 8 KiB
/// buffer would make one write call per report. A file that cannot be created is bad input.
fn open_output(path: Option<&Path>) -> anyhow::Result<std::io::BufWriter<Box<dyn Write>>> {
    let out: Box<dyn Write> = match path.filter(|p| *p != Path::new("-")) {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| {
            BadInput(format!(
                "出力ファイル {0} を作成できません（フォルダと書き込み権限を確かめてください） / cannot create the output file {0} (check the folder exists and is writable): {e}",
                path.display()
            ))
        })?),
        None => Box::new(std::io::stdout().lock()),
    };
    Ok(std::io::BufWriter::with_capacity(1 << 20, out))
}

/// The catalog of `--store`'s active versions, else of the data directory.
fn load_data(args: &DataArgs) -> anyhow::Result<(Catalog, LoadReport)> {
    match &args.store {
        Some(store) => ingest::load_store(store),
        None => load(&args.data),
    }
}

fn load(data: &Path) -> anyhow::Result<(Catalog, LoadReport)> {
    let (catalog, report) = load_dir(data).map_err(|e| BadInput(e.to_string()))?;
    for row in &report.skipped_rows {
        tracing::warn!("除外 / skipped: {row}");
    }
    for w in &report.geometry_warnings {
        tracing::warn!("{w}");
    }
    Ok((catalog, report))
}

fn load_rubric(path: Option<&Path>) -> anyhow::Result<Rubric> {
    let Some(path) = path else {
        return Ok(Rubric::default_rubric());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        BadInput(format!(
            "評価基準ファイルを読めません / cannot read rubric {0}: {e}",
            path.display()
        ))
    })?;
    Rubric::from_toml_str(&text, &path.display().to_string()).map_err(|e| BadInput(e.to_string()).into())
}

fn site_inputs(args: &AssessArgs) -> anyhow::Result<(Vec<SiteInput>, bool)> {
    let crs = match &args.crs {
        Some(name) => Some(Crs::parse(name).map_err(|e| BadInput(e.to_string()))?),
        None => None,
    };
    if let (Some(lon), Some(lat)) = (args.lon, args.lat) {
        return Ok((vec![sites::point_site(lon, lat, crs)], true));
    }
    let (path, single) = match (&args.site, &args.sites) {
        (Some(p), _) => (p, true),
        (None, Some(p)) => (p, false),
        // Invariant: clap's required "input" group guarantees one of lon/site/sites.
        (None, None) => unreachable!("clap enforces an input"),
    };
    let inputs = sites::read_sites(path, crs).map_err(|e| BadInput(e.to_string()))?;
    if single && inputs.len() != 1 {
        return Err(BadInput(format!(
            "{0}: --site には1件だけ指定してください（複数なら --sites） / --site takes exactly one site but the file has {1}; use --sites for a batch",
            path.display(),
            inputs.len()
        ))
        .into());
    }
    Ok((inputs, single))
}

fn assess(args: AssessArgs) -> anyhow::Result<ExitCode> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let (inputs, single) = site_inputs(&args)?;
    let started = std::time::Instant::now();
    let (catalog, _) = load_data(&args.data)?;
    let loaded = started.elapsed();
    tracing::info!(seconds = loaded.as_secs_f64(), "layers loaded and indexed");
    let assessor = Assessor {
        catalog: &catalog,
        rubric: &rubric,
    };
    let options = AssessOptions {
        k: args.k,
        types: args
            .types
            .as_ref()
            .map(|t| t.iter().map(|s| s.as_str().into()).collect()),
    };

    let progress = (std::io::stderr().is_terminal() && inputs.len() >= 1000).then(|| {
        let bar = ProgressBar::new(inputs.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("評価中 assessing {bar:40} {pos}/{len} ({per_sec}, 残り {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let mut writer = ReportWriter::new(open_output(args.output.as_deref())?, args.format, single);
    let assessing = std::time::Instant::now();
    let assessed = write_batch(&assessor, &inputs, &options, args.rank, &mut writer, |n| {
        if let Some(bar) = &progress {
            bar.inc(n as u64);
        }
    })?;
    let seconds = assessing.elapsed().as_secs_f64();
    tracing::info!(
        sites = inputs.len(),
        seconds,
        sites_per_second = inputs.len() as f64 / seconds,
        "sites assessed and written"
    );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    writer.finish()?.flush()?;
    let rejected = inputs.len() - assessed;
    if rejected > 0 {
        eprintln!(
            "{rejected} 件の候補地を評価できませんでした（各レコードの error を参照） / {rejected} of {} site(s) rejected: see each record's `error`",
            inputs.len()
        );
    }
    Ok(if assessed == 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let env = std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let mut settings = Settings::load(args.config.as_deref(), env).map_err(|e| BadInput(e.to_string()))?;
    if let Some(data) = args.data {
        settings.data = data;
    }
    if let Some(rubric) = args.rubric {
        settings.rubric = Some(rubric);
    }
    if let Some(dir) = args.rubric_dir {
        settings.rubric_dir = Some(dir);
    }
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    if let Some(store) = args.store {
        settings.store = Some(store);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let data = match &settings.store {
            Some(store) => format!("store {}", store.display()),
            None => settings.data.display().to_string(),
        };
        let app = Application::build(settings)
            .await
            .map_err(|e| BadInput(e.to_string()))?;
        eprintln!(
            "tekichi: http://{} で待ち受け中 / listening (data: {data}; Ctrl-C で停止 / to stop)",
            app.local_addr()
        );
        app.run_until_stopped()
            .await
            .context("the server stopped with an error")?;
        Ok(ExitCode::SUCCESS)
    })
}

fn layers(args: LayersArgs) -> anyhow::Result<ExitCode> {
    if let Some(action) = args.action {
        return ingest::layers_action(action);
    }
    let (catalog, report) = load_data(&args.data)?;
    let summaries = catalog.summaries();
    match args.format {
        LayersFormat::Json => {
            let issues: Vec<_> = catalog.issues().collect();
            let doc = serde_json::json!({ "name": report.name, "layers": summaries, "unrecognised": issues });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        LayersFormat::Text => {
            println!(
                "データセット / dataset: {}  ({})",
                report.name,
                args.data.data.display()
            );
            for s in &summaries {
                let bbox = s.bbox.map_or("-".into(), |b| {
                    format!("{:.5},{:.5} – {:.5},{:.5}", b[0], b[1], b[2], b[3])
                });
                println!(
                    "{:<16} {:<30} {:>7} 件  bbox {}  {}  {}  version {}",
                    s.kind.key(),
                    s.name_ja,
                    s.feature_count,
                    bbox,
                    if s.meta.source.is_empty() {
                        "(出典未記載 / no source)"
                    } else {
                        &s.meta.source
                    },
                    s.meta.date,
                    s.meta.version
                );
                for (field, count) in &s.unrecognised {
                    println!("{:<16}   認識できない値 / unrecognised {field}: {count}", "");
                }
            }
            let missing: Vec<&str> = tekichi::engine::catalog::LayerKind::ALL
                .into_iter()
                .filter(|k| !catalog.has(*k))
                .map(|k| k.key())
                .collect();
            if !missing.is_empty() {
                println!("未読込 / not loaded: {}", missing.join(", "));
            }
            for issue in catalog.issues().take(20) {
                println!(
                    "  {} {} feature {}: {} = \"{}\"",
                    issue.kind, issue.file, issue.feature_id, issue.value.field, issue.value.raw
                );
            }
            for row in report.skipped_rows.iter().take(20) {
                println!("  除外 skipped: {row}");
            }
            if report.skipped_rows.len() > 20 {
                println!(
                    "  … ほか {} 行 / {} more rows",
                    report.skipped_rows.len() - 20,
                    report.skipped_rows.len() - 20
                );
            }
            for w in &report.geometry_warnings {
                println!("  位相の警告 topology warning: {w}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Whether the text begins with Japanese (kana or kanji), as SPEC wants what a user reads.
    fn japanese_first(text: &str) -> bool {
        text.trim_start()
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff01}'..='\u{ff5e}'))
    }

    /// Every command, option, argument and listed value says in its help what it is,
    /// Japanese first: `--help` is the CLI's manual.
    #[test]
    fn every_help_text_is_japanese_first() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                if matches!(arg.get_id().as_str(), "help" | "version") {
                    continue;
                }
                let where_ = format!("{path} {}", arg.get_id());
                if !arg.get_help().is_some_and(|h| japanese_first(&h.to_string())) {
                    missing.push(where_.clone());
                }
                if arg.get_action().takes_values() && !arg.is_hide_possible_values_set() {
                    for value in arg.get_possible_values() {
                        if !value.get_help().is_some_and(|h| japanese_first(&h.to_string())) {
                            missing.push(format!("{where_}={}", value.get_name()));
                        }
                    }
                }
            }
            for sub in command.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_name() != "help" && !sub.get_about().is_some_and(|a| japanese_first(&a.to_string())) {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "tekichi", &mut missing);
        assert!(missing.is_empty(), "help texts not in Japanese first: {missing:#?}");
    }

    #[test]
    fn japanese_first_tells_japanese_from_english() {
        assert!(japanese_first("出力形式 / Output format"));
        assert!(japanese_first(" データディレクトリ"));
        assert!(!japanese_first("Output format"));
        assert!(!japanese_first(""));
    }
}
