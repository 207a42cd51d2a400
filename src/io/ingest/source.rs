//! The files of one import, held in memory: zip archives expanded safely (no path
//! traversal, bounded entry count and unpacked size), loose shapefile parts gathered, and
//! everything mounted in GDAL's in-memory file system for reading.

use crate::io::ingest::IngestError;
use std::io::Read;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicU64, Ordering};

/// One file of an import, as uploaded or read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Base name (`use_districts.shp`); for files taken out of a zip, the entry's base name.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Size limits of one import (configurable; see `ImportLimits::default`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportLimits {
    /// Total bytes of the files as given (zips counted packed).
    pub upload_bytes: u64,
    /// Total bytes of everything taken out of zip archives.
    pub unzipped_bytes: u64,
    /// Entries of one zip archive.
    pub zip_entries: usize,
    /// Features of one import.
    pub features: usize,
    /// Coordinates (vertices) of one import.
    pub vertices: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            upload_bytes: 200 * 1024 * 1024,
            unzipped_bytes: 1024 * 1024 * 1024,
            zip_entries: 1000,
            features: 1_000_000,
            vertices: 50_000_000,
        }
    }
}

/// Extensions GDAL opens as a dataset; every other file is a sidecar (.shx, .dbf, .prj, .cpg…).
pub const DATASET_EXTENSIONS: [&str; 7] = ["shp", "geojson", "json", "gpkg", "kml", "fgb", "csv"];

/// Sidecar extensions of a shapefile.
pub const SHAPEFILE_SIDECARS: [&str; 4] = ["shx", "dbf", "prj", "cpg"];

/// Lower-case extension of a file name.
pub fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads files from disk: a `.shp` brings its sidecars from the same directory.
pub fn read_paths(paths: &[std::path::PathBuf]) -> Result<Vec<SourceFile>, IngestError> {
    let mut out = Vec::new();
    for path in paths {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| IngestError::Input(format!("{0}: ファイルを読めません / cannot read: {e}", p.display())))
        };
        let name = base_name(path)?;
        out.push(SourceFile {
            bytes: read(path)?,
            name,
        });
        if extension(&out[out.len() - 1].name) == "shp" {
            for ext in SHAPEFILE_SIDECARS {
                for candidate in [ext.to_string(), ext.to_ascii_uppercase()] {
                    let sidecar = path.with_extension(&candidate);
                    if sidecar.is_file() {
                        out.push(SourceFile {
                            name: base_name(&sidecar)?,
                            bytes: read(&sidecar)?,
                        });
                        break;
                    }
                }
            }
        }
    }
    Ok(out)
}

fn base_name(path: &Path) -> Result<String, IngestError> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            IngestError::Input(format!(
                "{0}: ファイル名ではありません / not a file name",
                path.display()
            ))
        })
}

/// Checks the upload size and expands zip archives. Entry names that climb out of the
/// archive (`..`, absolute paths) are refused; directories and `__MACOSX` metadata are
/// skipped; files are flattened to their base names, which must then be unique.
pub fn expand(files: Vec<SourceFile>, limits: &ImportLimits) -> Result<Vec<SourceFile>, IngestError> {
    let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    if total > limits.upload_bytes {
        return Err(IngestError::Limit(format!(
            "アップロードが上限 {1} バイトを超えています / the upload is {total} bytes; the limit is {0}",
            limits.upload_bytes, limits.upload_bytes
        )));
    }
    let mut out: Vec<SourceFile> = Vec::new();
    let mut unzipped = 0u64;
    for f in files {
        if extension(&f.name) != "zip" {
            out.push(f);
            continue;
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&f.bytes)).map_err(|e| {
            IngestError::Input(format!(
                "{0}: zip として読めません / not a readable zip archive: {e}",
                f.name
            ))
        })?;
        if archive.len() > limits.zip_entries {
            return Err(IngestError::Limit(format!(
                "{0}: zip の項目数が上限 {3} を超えています / {1} entries; the limit is {2}",
                f.name,
                archive.len(),
                limits.zip_entries,
                limits.zip_entries
            )));
        }
        for i in 0..archive.len() {
            let entry = archive
                .by_index(i)
                .map_err(|e| IngestError::Input(format!("{0}: zip の項目を読めません / entry {i}: {e}", f.name)))?;
            let raw_name = entry.name().to_string();
            let path = Path::new(&raw_name);
            let escapes = path
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)))
                || raw_name.starts_with('/')
                || raw_name.starts_with('\\')
                || raw_name.contains("..\\");
            if escapes {
                return Err(IngestError::Input(format!(
                    "{0}: zip の項目「{raw_name}」はアーカイブの外を指しています（拒否しました） / entry `{raw_name}` points outside the archive (path traversal); refused",
                    f.name
                )));
            }
            if entry.is_dir() || raw_name.starts_with("__MACOSX") {
                continue;
            }
            let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if name.starts_with("._") {
                continue;
            }
            let budget = limits.unzipped_bytes.saturating_sub(unzipped);
            let mut bytes = Vec::new();
            // Read at most one byte past the budget: the declared size is not trusted.
            entry.take(budget + 1).read_to_end(&mut bytes).map_err(|e| {
                IngestError::Input(format!("{0}: zip を展開できません / entry `{raw_name}`: {e}", f.name))
            })?;
            unzipped += bytes.len() as u64;
            if unzipped > limits.unzipped_bytes {
                return Err(IngestError::Limit(format!(
                    "{0}: zip の展開後サイズが上限 {2} バイトを超えます / unpacks to more than {1} bytes (zip bomb?); refused",
                    f.name, limits.unzipped_bytes, limits.unzipped_bytes
                )));
            }
            out.push(SourceFile { name, bytes });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for f in &out {
        if !seen.insert(f.name.to_ascii_lowercase()) {
            return Err(IngestError::Input(format!(
                "同名のファイル「{1}」が複数あります / two files are named `{0}`; upload each dataset once",
                f.name, f.name
            )));
        }
    }
    Ok(out)
}

/// The files mounted under a fresh `/vsimem/` directory; unlinked when dropped. GDAL
/// reads the buffers in place (it does not take ownership: the process allocator is not
/// the C library's `free`).
pub struct Mounted {
    pub dir: String,
    files: Vec<(String, Vec<u8>)>,
}

static MOUNTS: AtomicU64 = AtomicU64::new(0);

impl Mounted {
    pub fn new(files: &[SourceFile]) -> Result<Mounted, IngestError> {
        let dir = format!(
            "/vsimem/tekichi-{}-{}/",
            std::process::id(),
            MOUNTS.fetch_add(1, Ordering::Relaxed)
        );
        let mut mounted = Mounted { dir, files: Vec::new() };
        for f in files {
            let path = std::ffi::CString::new(mounted.path(&f.name)).map_err(|_| {
                IngestError::Input(format!(
                    "ファイル名が不正です / `{0}`: a file name cannot contain NUL",
                    f.name
                ))
            })?;
            let mut bytes = f.bytes.clone();
            // SAFETY: the buffer lives in `self.files` until `drop` unlinks the file; a
            // Vec's heap buffer does not move when the Vec itself is moved.
            let handle =
                unsafe { gdal_sys::VSIFileFromMemBuffer(path.as_ptr(), bytes.as_mut_ptr(), bytes.len() as u64, 0) };
            if handle.is_null() {
                return Err(IngestError::Internal(format!("cannot stage {}", f.name)));
            }
            // SAFETY: `handle` was just returned non-null by GDAL.
            unsafe { gdal_sys::VSIFCloseL(handle) };
            mounted.files.push((f.name.clone(), bytes));
        }
        Ok(mounted)
    }

    pub fn path(&self, name: &str) -> String {
        format!("{}{name}", self.dir)
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        for (name, _) in &self.files {
            let _ = gdal::vsi::unlink_mem_file(self.path(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, bytes) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn expands_flattens_and_refuses_traversal_and_bombs() {
        let ok = zip_of(&[("dir/a.shp", b"1"), ("dir/a.dbf", b"2"), ("__MACOSX/._a.shp", b"x")]);
        let files = expand(
            vec![SourceFile {
                name: "a.zip".into(),
                bytes: ok,
            }],
            &ImportLimits::default(),
        )
        .unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.shp", "a.dbf"]);

        let evil = zip_of(&[("../../etc/passwd", b"x")]);
        let err = expand(
            vec![SourceFile {
                name: "e.zip".into(),
                bytes: evil,
            }],
            &ImportLimits::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("points outside the archive (path traversal)"), "{err}");

        let zeros = vec![0u8; 100_000];
        let bomb = zip_of(&[("a.geojson", &zeros)]);
        assert!(bomb.len() < 10_000, "deflate packs zeros");
        let limits = ImportLimits {
            unzipped_bytes: 50_000,
            ..ImportLimits::default()
        };
        let err = expand(
            vec![SourceFile {
                name: "b.zip".into(),
                bytes: bomb,
            }],
            &limits,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unpacks to more than 50000 bytes"), "{err}");
    }
}
