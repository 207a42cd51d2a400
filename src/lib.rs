pub mod engine;
pub mod io;
