//! `tekichi import` and `tekichi layers versions|activate|rollback|audit`: the layer store
//! from the command line.

use super::BadInput;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tekichi::engine::catalog::{Catalog, LayerKind};
use tekichi::io::crs::Crs;
use tekichi::io::ingest::profile::{parse_field_maps, Profile};
use tekichi::io::ingest::read::parse_encoding;
use tekichi::io::ingest::source::read_paths;
use tekichi::io::ingest::store::Store;
use tekichi::io::ingest::{prepare, ImportOptions, IngestError, Provenance};
use tekichi::io::layers::LoadReport;

/// How many problems the import summary lists (the full list goes to `--report`).
const LISTED: usize = 20;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// レイヤ種別 / Layer kind: zoning, area_division, farmland, daily_life_area, facility, flood, river_erosion, landslide, tsunami.
    kind: String,
    /// データファイル / Files: .geojson, .shp (sidecars are taken along), .zip, .gpkg, .kml, .fgb, .csv. Several are merged into one version.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// レイヤストア (SQLite) / The layer store; needed unless --dry-run.
    #[arg(long, env = "TEKICHI_STORE")]
    store: Option<PathBuf>,
    /// 複数レイヤのファイルで読むレイヤ / Layer to read from a multi-layer file (GeoPackage, KML).
    #[arg(long)]
    layer: Option<String>,
    /// 座標参照系 / CRS of the coordinates when the file does not say (or says wrongly), e.g. EPSG:6677.
    #[arg(long)]
    crs: Option<String>,
    /// 属性の文字コード / Attribute encoding (UTF-8, Shift_JIS, CP932…); default: .cpg, else detected.
    #[arg(long)]
    encoding: Option<String>,
    /// 属性プロファイル / Attribute profile; default: detected from the field names.
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// 属性の対応付け / Map a source field to what the layer reads, e.g. --field depth=浸水深 (repeatable).
    #[arg(long = "field")]
    fields: Vec<String>,
    /// 出典 / Source name for the provenance.
    #[arg(long, default_value = "")]
    source: String,
    /// 発行者 / Publisher.
    #[arg(long, default_value = "")]
    publisher: String,
    /// 公開日・時点 / Date of the data.
    #[arg(long, default_value = "")]
    date: String,
    /// ライセンス / Licence.
    #[arg(long, default_value = "")]
    licence: String,
    /// 取込み後すぐに有効化する / Activate the new version right away.
    #[arg(long, conflicts_with = "dry_run")]
    activate: bool,
    /// 検証のみ（保存しない） / Validate and report only; store nothing.
    #[arg(long)]
    dry_run: bool,
    /// 検証結果の全件を JSON で書き出す / Write the full validation report (JSON) here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// 操作者名（監査ログ） / Who is importing, for the audit log (default: $USER).
    #[arg(long, env = "USER", default_value = "cli")]
    actor: String,
}

#[derive(Debug, Subcommand)]
pub enum LayersAction {
    /// ストア内のバージョン一覧 / Versions of a kind in the store, newest first.
    Versions(KindArgs),
    /// バージョンを有効化 / Make a version the active one.
    Activate(ActivateArgs),
    /// 一つ前に有効だったバージョンに戻す / Re-activate the version active before the current one.
    Rollback(KindArgs),
    /// 監査ログ / The audit log.
    Audit(AuditArgs),
    /// 有効なバージョンをデータディレクトリとして書き出す / Write the active versions as a data directory (GeoJSON + manifest.toml).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 書き出し先 / Output directory.
    #[arg(long)]
    out: PathBuf,
    /// データセット名 / Dataset name for the manifest.
    #[arg(long, default_value = "")]
    name: String,
    /// データセットの説明 / Dataset description for the manifest.
    #[arg(long, default_value = "")]
    description: String,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, Args)]
pub struct StoreArg {
    /// レイヤストア (SQLite) / The layer store.
    #[arg(long, env = "TEKICHI_STORE")]
    store: PathBuf,
    /// 操作者名 / Who acts, for the audit log.
    #[arg(long, env = "USER", default_value = "cli")]
    actor: String,
}

#[derive(Debug, Args)]
pub struct KindArgs {
    /// レイヤ種別 / Layer kind (zoning, flood, …).
    kind: String,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// レイヤ種別 / Layer kind (zoning, flood, …).
    kind: String,
    /// 有効にするバージョン番号（layers versions で確認） / Version number to activate (see `layers versions`).
    version: u32,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// レイヤ種別（省略時はすべて） / Layer kind (all when omitted).
    kind: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

fn bad(e: impl std::fmt::Display) -> anyhow::Error {
    BadInput(e.to_string()).into()
}

fn store_error(e: IngestError) -> anyhow::Error {
    match e {
        IngestError::Internal(_) => anyhow::anyhow!(e),
        other => bad(other),
    }
}

fn kind(key: &str) -> anyhow::Result<LayerKind> {
    LayerKind::from_key(key).ok_or_else(|| {
        bad(format!(
            "不明なレイヤ種別です / unknown layer kind `{key}`; expected one of: {0}",
            LayerKind::ALL.map(|k| k.key()).join(", ")
        ))
    })
}

fn open(path: &Path) -> anyhow::Result<Store> {
    Store::open(path).map_err(store_error)
}

/// The catalog of a store's active versions.
pub fn load_store(path: &Path) -> anyhow::Result<(Catalog, LoadReport)> {
    if !path.is_file() {
        return Err(bad(format!(
            "{0}: レイヤストアがありません / no layer store here",
            path.display()
        )));
    }
    let layers = open(path)?.active_layers().map_err(store_error)?;
    let catalog = Catalog::build(layers)?;
    let report = LoadReport {
        name: path.display().to_string(),
        ..Default::default()
    };
    Ok((catalog, report))
}

pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let kind = kind(&args.kind)?;
    let mut options = ImportOptions::new(kind);
    options.read.layer = args.layer.clone();
    options.read.crs = args.crs.as_deref().map(Crs::parse).transpose().map_err(bad)?;
    options.read.encoding = match &args.encoding {
        Some(label) => Some(parse_encoding(label).ok_or_else(|| {
            bad(format!(
                "文字コード名が不明です / --encoding `{label}` is not an encoding name (try UTF-8, Shift_JIS, CP932)"
            ))
        })?),
        None => None,
    };
    options.profile = args.profile;
    options.fields = parse_field_maps(kind, &args.fields).map_err(bad)?;
    options.provenance = Provenance {
        source: args.source.clone(),
        publisher: args.publisher.clone(),
        date: args.date.clone(),
        licence: args.licence.clone(),
    };
    if !args.dry_run && args.store.is_none() {
        return Err(bad(
            "保存先の --store を指定してください / --store PATH (or TEKICHI_STORE) is needed unless --dry-run",
        ));
    }
    let files = read_paths(&args.files).map_err(store_error)?;
    let prepared = prepare(files, &options).map_err(store_error)?;
    eprint!("{}", prepared.report.summary(LISTED));
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_vec_pretty(&prepared.report)?).map_err(|e| {
            bad(format!(
                "{}: 検証結果を書き出せません / cannot write the report: {e}",
                path.display()
            ))
        })?;
        eprintln!("検証結果の全件 / full report: {}", path.display());
    }
    if args.dry_run {
        eprintln!("検証のみ（保存していません） / dry run: nothing stored");
        return Ok(ExitCode::SUCCESS);
    }
    // Invariant: checked above, a store is given unless dry-run.
    let mut store = open(args.store.as_deref().expect("store checked above"))?;
    let version = store.add_version(&prepared, &args.actor).map_err(store_error)?;
    eprintln!("{kind} バージョン {version} を保存しました / stored {kind} version {version}");
    if args.activate {
        store.activate(kind, version, &args.actor).map_err(store_error)?;
        eprintln!("{kind} バージョン {version} を有効化しました / activated {kind} version {version}");
    } else {
        eprintln!("有効化: tekichi layers activate {kind} {version} / to activate it: tekichi layers activate {kind} {version}");
    }
    println!("{version}");
    Ok(ExitCode::SUCCESS)
}

pub fn layers_action(action: LayersAction) -> anyhow::Result<ExitCode> {
    match action {
        LayersAction::Versions(a) => {
            let kind = kind(&a.kind)?;
            let versions = open(&a.store.store)?.versions(kind).map_err(store_error)?;
            println!("{}", serde_json::to_string_pretty(&versions)?);
        }
        LayersAction::Activate(a) => {
            let kind = kind(&a.kind)?;
            open(&a.store.store)?
                .activate(kind, a.version, &a.store.actor)
                .map_err(store_error)?;
            eprintln!(
                "{kind} バージョン {} を有効化しました / activated {kind} version {}",
                a.version, a.version
            );
        }
        LayersAction::Rollback(a) => {
            let kind = kind(&a.kind)?;
            let v = open(&a.store.store)?
                .rollback(kind, &a.store.actor)
                .map_err(store_error)?;
            eprintln!("{kind} をバージョン {v} に戻しました / rolled {kind} back to version {v}");
        }
        LayersAction::Audit(a) => {
            let kind = a.kind.as_deref().map(kind).transpose()?;
            let entries = open(&a.store.store)?.audit(kind).map_err(store_error)?;
            println!("{}", serde_json::to_string_pretty(&entries)?);
        }
        LayersAction::Export(a) => {
            let kinds = open(&a.store.store)?
                .export_active(&a.out, &a.name, &a.description)
                .map_err(store_error)?;
            let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
            eprintln!(
                "{}: {} を書き出しました / exported {}",
                a.out.display(),
                keys.join(", "),
                keys.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
