//! The commands of the `relais` binary: `serve`, `import`, `export`, `demo`.

pub mod cli;
pub mod commands;

use std::process::ExitCode;

use relais_store::StoreError;

/// Exit code for a usage error (bad arguments, unsupported database URL): the same as clap's.
pub const EXIT_USAGE: u8 = 2;

/// Logs to standard error, `info` by default (`RUST_LOG` overrides). Logs never carry personal
/// data: handlers log routes and identifiers of records, not their content.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Runs a parsed command line and turns its outcome into an exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("relais: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::dispatch(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            if let Some(StoreError::UnsupportedScheme { .. }) = e.downcast_ref::<StoreError>() {
                eprintln!("relais: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
            eprintln!("relais: {e:#}");
            ExitCode::FAILURE
        }
    }
}
