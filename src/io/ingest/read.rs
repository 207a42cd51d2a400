//! Reading one dataset file through GDAL: pick the layer, find its CRS, and take every
//! feature's geometry (as GeoJSON positions, untouched: rings are not closed for us) and
//! its attributes as raw bytes, decoded here with the encoding from `--encoding`, the
//! `.cpg`, or detection (UTF-8, else Shift_JIS/CP932) — never lossily.

use crate::io::crs::Crs;
use crate::io::ingest::source::{extension, Mounted, SourceFile};
use crate::io::ingest::IngestError;
use encoding_rs::Encoding;
use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::ffi::CStr;

/// Column names GDAL's CSV driver takes coordinates from.
const CSV_X: &str = "X_POSSIBLE_NAMES=lon,lng,longitude,経度,x,X";
const CSV_Y: &str = "Y_POSSIBLE_NAMES=lat,latitude,緯度,y,Y";
const CSV_WKT: &str = "GEOM_POSSIBLE_NAMES=wkt,WKT,geometry,geom,the_geom";

/// What the user said about reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Layer to read from a multi-layer file (GeoPackage, KML).
    pub layer: Option<String>,
    /// CRS of the coordinates, overriding the file's.
    pub crs: Option<Crs>,
    /// Attribute encoding, overriding `.cpg` and detection.
    pub encoding: Option<&'static Encoding>,
}

/// One dataset file as read.
#[derive(Debug)]
pub struct ReadFile {
    pub name: String,
    pub driver: String,
    pub layer: String,
    /// Every layer the file has.
    pub layers: Vec<String>,
    pub crs: Crs,
    /// Where the CRS came from and what it is, for the report.
    pub crs_label: String,
    /// The attribute encoding used and why.
    pub encoding: String,
    /// Field names as decoded.
    pub fields: Vec<String>,
    pub features: Vec<ReadFeature>,
}

/// A feature's geometry as read: `None` when missing or empty, `Err` when unreadable
/// (e.g. NaN coordinates), else GeoJSON in the file's CRS.
pub type ReadGeometry = Option<Result<geojson::Geometry, String>>;

/// One feature as read: geometry still in the file's CRS.
#[derive(Debug)]
pub struct ReadFeature {
    /// `None` when the feature has no geometry or an empty one.
    pub geometry: ReadGeometry,
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// An attribute value before decoding.
enum RawValue {
    Null,
    Int(i64),
    Real(f64),
    Text(Vec<u8>),
}

/// Parses an encoding name: `UTF-8`, `Shift_JIS`, `CP932`, `932`, `65001`, `EUC-JP`…
pub fn parse_encoding(label: &str) -> Option<&'static Encoding> {
    let t = label.trim().trim_start_matches('\u{feff}');
    match t.to_ascii_lowercase().as_str() {
        "932" | "cp932" | "ms932" | "sjis" | "shift-jis" | "windows-31j" | "ansi 932" => Some(encoding_rs::SHIFT_JIS),
        "65001" | "utf8" | "utf-8" => Some(encoding_rs::UTF_8),
        "20932" | "eucjp" => Some(encoding_rs::EUC_JP),
        _ => Encoding::for_label(t.as_bytes()),
    }
}

/// Decodes `bytes` strictly; `None` on any invalid sequence.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Option<String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|c| c.into_owned())
}

/// Picks the encoding of a set of byte strings: UTF-8 when all are valid UTF-8, else
/// Shift_JIS (CP932) when all decode cleanly as such.
fn detect<'a>(mut texts: impl Iterator<Item = &'a [u8]> + Clone) -> Option<&'static Encoding> {
    if texts.clone().all(|t| std::str::from_utf8(t).is_ok()) {
        return Some(encoding_rs::UTF_8);
    }
    texts
        .all(|t| decode_strict(encoding_rs::SHIFT_JIS, t).is_some())
        .then_some(encoding_rs::SHIFT_JIS)
}

/// CSV files are decoded to UTF-8 before GDAL sees them, so Japanese column names match.
/// Returns the encoding used per CSV file name.
pub fn decode_csv_files(
    files: &mut [SourceFile],
    forced: Option<&'static Encoding>,
) -> Result<Vec<(String, String)>, IngestError> {
    let mut used = Vec::new();
    for f in files.iter_mut().filter(|f| extension(&f.name) == "csv") {
        let body = f.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&f.bytes);
        let (encoding, why) = match forced {
            Some(e) => (e, "--encoding"),
            None => (
                detect(std::iter::once(body)).ok_or_else(|| {
                    IngestError::Input(format!(
                        "{0}: 文字コードを判別できません（--encoding で指定してください） / the text is neither UTF-8 nor Shift_JIS; give --encoding",
                        f.name
                    ))
                })?,
                "判別 / detected",
            ),
        };
        let text = decode_strict(encoding, body).ok_or_else(|| {
            IngestError::Input(format!(
                "{0}: {2} として読めません / not valid {1}",
                f.name,
                encoding.name(),
                encoding.name()
            ))
        })?;
        f.bytes = text.into_bytes();
        used.push((f.name.clone(), format!("{} ({why})", encoding.name())));
    }
    Ok(used)
}

/// Reads the chosen layer of one dataset file staged in `mounted`.
pub fn read_file(
    mounted: &Mounted,
    file: &SourceFile,
    sidecars: &[SourceFile],
    options: &ReadOptions,
    csv_encoding: Option<&str>,
) -> Result<ReadFile, IngestError> {
    let ext = extension(&file.name);
    let mut open_options: Vec<&str> = Vec::new();
    match ext.as_str() {
        // Raw DBF bytes: the encoding is decided here, not by GDAL.
        "shp" => open_options.push("ENCODING="),
        "csv" => open_options.extend([CSV_X, CSV_Y, CSV_WKT, "KEEP_GEOM_COLUMNS=NO"]),
        _ => {}
    }
    let path = mounted.path(&file.name);
    let dataset = Dataset::open_ex(
        &path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            open_options: Some(&open_options),
            ..Default::default()
        },
    )
    .map_err(|e| {
        IngestError::Input(format!(
            "{0}: ベクタデータとして開けません / GDAL cannot open it as vector data ({e}); supported: GeoJSON, Shapefile (.shp with .shx/.dbf/.prj, or zipped), GeoPackage, KML, FlatGeobuf, CSV",
            file.name
        ))
    })?;
    let driver = dataset.driver().short_name();
    let layers: Vec<String> = dataset.layers().map(|l| l.name()).collect();
    let mut layer = match (&options.layer, layers.len()) {
        (_, 0) => {
            return Err(IngestError::Input(format!(
                "{0}: ベクタレイヤがありません / the file has no vector layer",
                file.name
            )))
        }
        (None, 1) => dataset.layer(0),
        (Some(name), 1) if layers[0] != *name => {
            return Err(IngestError::Input(format!(
                "{0}: レイヤ「{name}」はありません / no layer `{name}`; the file has: {1}",
                file.name, layers[0]
            )))
        }
        (Some(_), 1) => dataset.layer(0),
        (None, _) => {
            return Err(IngestError::Input(format!(
                "{0}: 複数のレイヤがあります。--layer で選んでください / the file has {1} layers ({2}); choose one with --layer NAME",
                file.name,
                layers.len(),
                layers.join(", ")
            )))
        }
        (Some(name), _) => {
            if !layers.contains(name) {
                return Err(IngestError::Input(format!(
                    "{0}: レイヤ「{name}」はありません / no layer `{name}`; the file has: {1}",
                    file.name,
                    layers.join(", ")
                )));
            }
            dataset.layer_by_name(name)
        }
    }
    .map_err(|e| IngestError::Internal(format!("{}: {e}", file.name)))?;
    let layer_name = layer.name();
    let (crs, crs_label) = layer_crs(&file.name, layer.spatial_ref(), options.crs)?;

    // Raw rows first: the encoding is decided over the whole layer.
    let mut raw_names: Vec<Vec<u8>> = Vec::new();
    let mut rows: Vec<(ReadGeometry, Vec<RawValue>)> = Vec::new();
    for feature in layer.features() {
        // SAFETY: the handle is valid while `feature` lives; GDAL returns pointers into
        // the feature (or its definition) that are copied before the feature is dropped.
        // SAFETY: as below; a null geometry reference is only compared, never used.
        let has_null_geometry = unsafe { gdal_sys::OGR_F_GetGeometryRef(feature.c_feature()).is_null() };
        let values = unsafe {
            let h = feature.c_feature();
            let defn = gdal_sys::OGR_F_GetDefnRef(h);
            let n = gdal_sys::OGR_FD_GetFieldCount(defn);
            if raw_names.is_empty() && n > 0 {
                raw_names = (0..n)
                    .map(|i| {
                        CStr::from_ptr(gdal_sys::OGR_Fld_GetNameRef(gdal_sys::OGR_FD_GetFieldDefn(defn, i)))
                            .to_bytes()
                            .to_vec()
                    })
                    .collect();
            }
            (0..n)
                .map(|i| {
                    if gdal_sys::OGR_F_IsFieldSetAndNotNull(h, i) == 0 {
                        return RawValue::Null;
                    }
                    match gdal_sys::OGR_Fld_GetType(gdal_sys::OGR_FD_GetFieldDefn(defn, i)) {
                        gdal_sys::OGRFieldType::OFTInteger | gdal_sys::OGRFieldType::OFTInteger64 => {
                            RawValue::Int(gdal_sys::OGR_F_GetFieldAsInteger64(h, i))
                        }
                        gdal_sys::OGRFieldType::OFTReal => RawValue::Real(gdal_sys::OGR_F_GetFieldAsDouble(h, i)),
                        _ => RawValue::Text(
                            CStr::from_ptr(gdal_sys::OGR_F_GetFieldAsString(h, i))
                                .to_bytes()
                                .to_vec(),
                        ),
                    }
                })
                .collect::<Vec<_>>()
        };
        let geometry = feature
            .geometry()
            .filter(|g| !has_null_geometry && !g.is_empty())
            .map(|g| {
                g.json().map_err(|e| e.to_string()).and_then(|text: String| {
                    serde_json::from_str::<geojson::Geometry>(&text).map_err(|_| {
                        "座標が数値ではありません（NaN など） / a coordinate is not a finite number (NaN or infinite)"
                            .to_string()
                    })
                })
            });
        rows.push((geometry, values));
    }
    if raw_names.is_empty() {
        // SAFETY: as above, for the layer's definition.
        raw_names = unsafe {
            let defn = gdal_sys::OGR_L_GetLayerDefn(layer.c_layer());
            (0..gdal_sys::OGR_FD_GetFieldCount(defn))
                .map(|i| {
                    CStr::from_ptr(gdal_sys::OGR_Fld_GetNameRef(gdal_sys::OGR_FD_GetFieldDefn(defn, i)))
                        .to_bytes()
                        .to_vec()
                })
                .collect()
        };
    }

    let texts = || {
        raw_names
            .iter()
            .map(Vec::as_slice)
            .chain(rows.iter().flat_map(|(_, vs)| {
                vs.iter().filter_map(|v| match v {
                    RawValue::Text(t) => Some(t.as_slice()),
                    _ => None,
                })
            }))
    };
    let cpg = sidecars
        .iter()
        .find(|s| extension(&s.name) == "cpg" && stem(&s.name).eq_ignore_ascii_case(stem(&file.name)));
    let (encoding, encoding_label) = if let Some(csv) = csv_encoding {
        // Already decoded to UTF-8 by `decode_csv_files`.
        (encoding_rs::UTF_8, csv.to_string())
    } else if let Some(e) = options.encoding {
        (e, format!("{0} (指定 / given)", e.name()))
    } else if let Some(cpg) = cpg {
        let label = String::from_utf8_lossy(&cpg.bytes).trim().to_string();
        let e = parse_encoding(&label).ok_or_else(|| {
            IngestError::Input(format!(
                "{0}: .cpg の文字コード「{label}」が分かりません / unknown encoding `{label}`; give --encoding (e.g. Shift_JIS, UTF-8)",
                cpg.name
            ))
        })?;
        (e, format!("{} ({})", e.name(), cpg.name))
    } else {
        let e = detect(texts()).ok_or_else(|| {
            IngestError::Input(format!(
                "{0}: 属性の文字コードを判別できません（--encoding で指定してください） / attribute text is neither UTF-8 nor Shift_JIS; give --encoding",
                file.name
            ))
        })?;
        (e, format!("{0} (判別 / detected)", e.name()))
    };
    let decode = |bytes: &[u8], at: &str| {
        decode_strict(encoding, bytes).ok_or_else(|| {
            IngestError::Input(format!(
                "{0}: {at} が {enc} として読めません（文字化けを避けるため中止しました） / {at}: not valid {enc} (stated by {encoding_label}); give the right --encoding",
                file.name,
                enc = encoding.name()
            ))
        })
    };
    let fields: Vec<String> = raw_names
        .iter()
        .enumerate()
        .map(|(i, n)| decode(n, &format!("field name {i}")))
        .collect::<Result<_, _>>()?;
    let mut features = Vec::with_capacity(rows.len());
    for (index, (geometry, values)) in rows.into_iter().enumerate() {
        let mut properties = serde_json::Map::new();
        for (name, value) in fields.iter().zip(values) {
            let v = match value {
                RawValue::Null => serde_json::Value::Null,
                RawValue::Int(i) => i.into(),
                RawValue::Real(r) => serde_json::Number::from_f64(r).map_or(serde_json::Value::Null, Into::into),
                RawValue::Text(t) => decode(&t, &format!("feature {index}, field {name}"))?.into(),
            };
            properties.insert(name.clone(), v);
        }
        features.push(ReadFeature { geometry, properties });
    }
    Ok(ReadFile {
        name: file.name.clone(),
        driver,
        layer: layer_name,
        layers,
        crs,
        crs_label,
        encoding: encoding_label,
        fields,
        features,
    })
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The CRS to transform from: the explicit one, else the layer's (identified as an EPSG
/// code), else lon/lat.
fn layer_crs(
    file: &str,
    srs: Option<gdal::spatial_ref::SpatialRef>,
    explicit: Option<Crs>,
) -> Result<(Crs, String), IngestError> {
    if let Some(c) = explicit {
        return Ok((c, format!("{0} (指定 / given)", crs_name(c))));
    }
    let Some(mut srs) = srs else {
        return Ok((
            Crs::LonLat,
            "EPSG:6668 (記載なしのため経緯度と仮定 / not stated in the file; assumed)".into(),
        ));
    };
    let name = srs.name().unwrap_or_default();
    if srs.auth_name().as_deref() != Some("EPSG") {
        let _ = srs.auto_identify_epsg();
    }
    match (srs.auth_name().as_deref(), srs.auth_code()) {
        (Some("EPSG"), Ok(code)) if code > 0 => {
            let crs = Crs::parse(&format!("EPSG:{code}")).map_err(|e| IngestError::Input(format!("{file}: {e}")))?;
            Ok((crs, format!("EPSG:{code} {name} (ファイルの記載 / from the file)")))
        }
        _ => Err(IngestError::Input(format!(
            "{file}: 座標参照系「{name}」を特定できません（--crs で指定してください。例: EPSG:6677 JGD2011 平面直角座標系 IX系） / the file's CRS `{name}` matches no EPSG code; give it with --crs EPSG:n (e.g. EPSG:6677, JGD2011 plane rectangular IX)"
        ))),
    }
}

/// `EPSG:n` of a CRS.
pub fn crs_name(c: Crs) -> String {
    match c {
        Crs::LonLat => "EPSG:6668".into(),
        Crs::Epsg(code) => format!("EPSG:{code}"),
    }
}
