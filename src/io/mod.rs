//! Adapters around the engine: reading layers and sites from files, CRS transforms,
//! writing reports. Everything here does IO or holds non-`Send` PROJ handles.

pub mod batch;
pub mod crs;
pub mod ingest;
pub mod layers;
pub mod output;
pub mod sites;

/// The seven GeoJSON geometry type names (RFC 7946 §1.4).
pub(crate) const GEOMETRY_TYPES: [&str; 7] = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
];
