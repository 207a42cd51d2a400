//! Adapters around the engine: reading layers and sites from files, CRS transforms,
//! writing reports. Everything here does IO or holds non-`Send` PROJ handles.

pub mod batch;
pub mod crs;
pub mod ingest;
pub mod layers;
pub mod output;
pub mod sites;
