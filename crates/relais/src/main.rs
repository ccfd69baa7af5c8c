//! `relais`: one binary for the whole platform. This file only parses the command line; the
//! commands live in the library so that they are testable without a process.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = relais::cli::Cli::parse();
    relais::init_logging();
    relais::run(cli)
}
