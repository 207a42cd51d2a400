//! The pure assessment engine: layers in memory, R-tree indexes, rules, rubric, report.
//! No IO lives here: readers in [`crate::io`] build a [`catalog::Catalog`] from files,
//! and the CLI and server call [`assess::Assessor`].

pub mod analytics;
pub mod assess;
pub mod attrs;
pub mod catalog;
pub mod geom;
pub mod index;
pub mod prepared;
pub mod report;
pub mod rubric;
pub mod site;
