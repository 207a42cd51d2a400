//! Coordinate reference systems at the edge: parse a CRS name, and transform input
//! coordinates once, with PROJ, into JGD2011 geographic lon/lat (EPSG:6668).
//!
//! `proj::Proj` is neither `Send` nor `Sync`: a [`Reprojector`] lives in the loader
//! that reads one file and is dropped before the catalog is shared.

use geojson::{Geometry, GeometryValue, Position};
use proj::Proj;

/// The CRS coordinates arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// JGD2011 / WGS84 geographic lon/lat (EPSG:6668, EPSG:4326, OGC CRS84): used as is.
    LonLat,
    /// Any other EPSG code, transformed with PROJ.
    Epsg(u32),
}

/// A CRS that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("不明な座標参照系「{0}」です（EPSG:6668 や EPSG:6677 のように指定してください） / unknown CRS \"{0}\": give an EPSG code such as EPSG:6668 (JGD2011 lon/lat) or EPSG:6677 (JGD2011 plane rectangular IX)")]
    Unknown(String),
    #[error("EPSG:{code} から変換できません: {reason} / PROJ cannot transform from EPSG:{code}: {reason}")]
    Unsupported { code: u32, reason: String },
    #[error("座標 ({x}, {y}) を EPSG:{code} から変換できません: {reason} / coordinate ({x}, {y}) cannot be transformed from EPSG:{code}: {reason}")]
    Transform { code: u32, x: f64, y: f64, reason: String },
}

/// EPSG codes read as JGD2011 lon/lat without transformation (SPEC: 4326 is treated as 6668).
const LON_LAT_CODES: [u32; 2] = [6668, 4326];

impl Crs {
    /// Parses `EPSG:6677`, `6677`, `urn:ogc:def:crs:EPSG::6677`,
    /// `http://www.opengis.net/def/crs/EPSG/0/6677`, `CRS84` or `urn:ogc:def:crs:OGC:1.3:CRS84`.
    pub fn parse(name: &str) -> Result<Crs, CrsError> {
        let t = name.trim();
        let upper = t.to_ascii_uppercase();
        if upper.ends_with("CRS84") {
            return Ok(Crs::LonLat);
        }
        let code = upper
            .strip_prefix("EPSG:")
            .or_else(|| upper.strip_prefix("URN:OGC:DEF:CRS:EPSG::"))
            .or_else(|| {
                upper
                    .strip_prefix("URN:OGC:DEF:CRS:EPSG:")
                    .and_then(|r| r.rsplit(':').next())
            })
            .or_else(|| upper.strip_prefix("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"))
            .or_else(|| upper.strip_prefix("HTTPS://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/"))
            .unwrap_or(&upper);
        match code.parse::<u32>() {
            Ok(c) if LON_LAT_CODES.contains(&c) => Ok(Crs::LonLat),
            Ok(c) => Ok(Crs::Epsg(c)),
            Err(_) => Err(CrsError::Unknown(t.to_string())),
        }
    }

    /// The CRS named by a GeoJSON 2008 `crs` member (`{"type":"name","properties":{"name":…}}`).
    pub fn from_geojson_member(member: &serde_json::Value) -> Result<Crs, CrsError> {
        let name = member.pointer("/properties/name").and_then(|v| v.as_str());
        match name {
            Some(n) => Crs::parse(n),
            None => Err(CrsError::Unknown(member.to_string())),
        }
    }
}

/// Transforms coordinates from one CRS into JGD2011 lon/lat.
pub struct Reprojector {
    code: u32,
    proj: Proj,
}

impl std::fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reprojector(EPSG:{} → EPSG:6668)", self.code)
    }
}

impl Reprojector {
    /// A transformer for `crs`, or `None` when the coordinates are already lon/lat.
    pub fn to_lon_lat(crs: Crs) -> Result<Option<Reprojector>, CrsError> {
        let Crs::Epsg(code) = crs else { return Ok(None) };
        let proj =
            Proj::new_known_crs(&format!("EPSG:{code}"), "EPSG:6668", None).map_err(|e| CrsError::Unsupported {
                code,
                reason: e.to_string(),
            })?;
        Ok(Some(Reprojector { code, proj }))
    }

    /// Transforms one position (x/easting first, as PROJ normalises for visualisation).
    pub fn position(&self, p: &mut Position) -> Result<(), CrsError> {
        let s = p.as_slice_mut();
        if s.len() < 2 {
            return Ok(());
        }
        let (x, y) = (s[0], s[1]);
        let (lon, lat) = self.proj.convert((x, y)).map_err(|e| CrsError::Transform {
            code: self.code,
            x,
            y,
            reason: e.to_string(),
        })?;
        s[0] = lon;
        s[1] = lat;
        Ok(())
    }

    /// Transforms every position of a GeoJSON geometry in place.
    pub fn geometry(&self, g: &mut Geometry) -> Result<(), CrsError> {
        g.bbox = None;
        let each = |ps: &mut Vec<Position>| ps.iter_mut().try_for_each(|p| self.position(p));
        match &mut g.value {
            GeometryValue::Point { coordinates } => self.position(coordinates),
            GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => each(coordinates),
            GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
                coordinates.iter_mut().try_for_each(each)
            }
            GeometryValue::MultiPolygon { coordinates } => coordinates.iter_mut().flatten().try_for_each(each),
            GeometryValue::GeometryCollection { geometries } => {
                geometries.iter_mut().try_for_each(|g| self.geometry(g))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!(Crs::parse("EPSG:6668").unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::6668").unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84").unwrap(), Crs::LonLat);
        assert_eq!(Crs::parse("epsg:6677").unwrap(), Crs::Epsg(6677));
        assert_eq!(
            Crs::parse("http://www.opengis.net/def/crs/EPSG/0/2450").unwrap(),
            Crs::Epsg(2450)
        );
        assert!(matches!(Crs::parse("JGD2011"), Err(CrsError::Unknown(_))));
    }

    #[test]
    fn plane_rectangular_zone_x_origin_maps_to_its_origin() {
        // JGD2011 / Japan Plane Rectangular CS X (EPSG:6678): origin 40°N 140°50'E.
        let r = Reprojector::to_lon_lat(Crs::Epsg(6678)).unwrap().unwrap();
        let mut p = Position::from([0.0, 0.0]);
        r.position(&mut p).unwrap();
        assert!((p[0] - (140.0 + 50.0 / 60.0)).abs() < 1e-9, "{:?}", p);
        assert!((p[1] - 40.0).abs() < 1e-9, "{:?}", p);
    }

    #[test]
    fn unknown_epsg_code_is_refused() {
        assert!(matches!(
            Reprojector::to_lon_lat(Crs::Epsg(999_999)),
            Err(CrsError::Unsupported { .. })
        ));
    }
}
