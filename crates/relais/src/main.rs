//! `relais`: one binary for the whole platform. This file only parses the command line; the
//! commands live in the library so that they are testable without a process.

use std::process::ExitCode;

use clap::Parser;

/// jemalloc returns freed memory to the system and fragments less than the system allocator
/// under the load of building the index on several threads: measured in BENCHMARKS.md (server
/// RSS with 50,000 services).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = relais::cli::Cli::parse();
    relais::init_logging();
    relais::run(cli)
}
