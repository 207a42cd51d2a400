pub mod engine;
pub mod io;
pub mod server;
