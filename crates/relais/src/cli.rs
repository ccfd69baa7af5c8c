//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Default database: an SQLite file under the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:relais-data/relais.db";

/// Relais — the shared platform of an access-to-law partnership against exclusion.
#[derive(Debug, Parser)]
#[command(name = "relais", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct Database {
    /// `sqlite:PATH`, `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`.
    #[arg(long = "database-url", env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the directory API (and, later, the pages).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[command(flatten)]
        db: Database,
        /// When the directory is empty, first load the built-in demo dataset (fictitious services).
        #[arg(long)]
        demo: bool,
        /// How often to pick up changes written by other nodes, in milliseconds.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
        sync_interval_ms: u64,
        #[command(flatten)]
        site: Site,
        #[command(flatten)]
        proxy: Proxy,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        metrics: MetricsArgs,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Partners' first administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Partners and the structures of the directory they keep.
    Partner {
        #[command(subcommand)]
        command: PartnerCommand,
    },
    /// API tokens of partners.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import data·inclusion JSON files (v1, v0, or API search responses), all or nothing.
    Import {
        /// The files to import, validated together before anything is written.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: Database,
    },
    /// Export the directory as data·inclusion v1 (`structures.json`, `services.json`).
    Export {
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: Database,
    },
    /// Write a deterministic synthetic dataset (data·inclusion v1) of fictitious services.
    Demo {
        /// Number of services.
        #[arg(long, default_value_t = 500)]
        services: usize,
        /// Seed: the same seed gives the same dataset.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Reference day (YYYY-MM-DD; default: today in Paris). Dates in the dataset (closures
        /// of the coming end of year and August, verification dates) are relative to it, so that
        /// a demo always looks current; the same seed and day give the same dataset.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// The audit journal.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// How people reach this server (links in emails and printed by the CLI).
#[derive(Debug, Clone, Args)]
pub struct Site {
    /// The address people use, e.g. `https://relais.example.org` (`https://` turns on `Secure`
    /// cookies and HSTS: say so when a proxy terminates TLS in front of Relais).
    #[arg(
        long,
        env = "RELAIS_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
}

/// How the server is reached.
#[derive(Debug, Clone, Args)]
pub struct Proxy {
    /// Behind a reverse proxy that appends the client's address to `X-Forwarded-For`: take the
    /// client's address from there (for sign-in throttling and the journal). Without it, every
    /// client would share the proxy's address.
    #[arg(long, env = "RELAIS_BEHIND_PROXY")]
    pub behind_proxy: bool,
}

/// Who reads `/metrics` (per-route counters and the journal's head are not for everyone).
#[derive(Debug, Clone, Args)]
pub struct MetricsArgs {
    /// Serve `/metrics` on a listener of its own, e.g. `127.0.0.1:9100`, and no longer on
    /// `--addr` (where it becomes 404). Behind a reverse proxy, this is the one to use: the
    /// proxy never forwards that port.
    #[arg(long, env = "RELAIS_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Require `Authorization: Bearer TOKEN` to read `/metrics` (wherever it is served): for
    /// a scraper that can only reach the public address.
    #[arg(long, env = "RELAIS_METRICS_TOKEN", hide_env_values = true, value_parser = parse_metrics_token)]
    pub metrics_token: Option<String>,
}

/// A metrics token worth the name: 16 characters at least, no spaces.
fn parse_metrics_token(s: &str) -> Result<String, String> {
    if s.chars().count() < 16 || s.chars().any(char::is_whitespace) {
        return Err("16 characters at least, no spaces (e.g. `openssl rand -hex 32`)".into());
    }
    Ok(s.to_owned())
}

/// What slow or greedy clients may hold.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// Longest a client may take to send a request's headers, in milliseconds (an idle
    /// keep-alive connection is closed after it too).
    #[arg(long, env = "RELAIS_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub header_read_timeout_ms: u64,
    /// Most connections open at once from one client address; more are closed at once.
    /// 0: no cap. Default: 64, and no cap with `--behind-proxy` (every connection then comes
    /// from the proxy, which should cap per client itself).
    #[arg(long, env = "RELAIS_MAX_CONNECTIONS_PER_IP")]
    pub max_connections_per_ip: Option<usize>,
}

impl ConnArgs {
    /// The limits these arguments ask for, behind a proxy or not.
    pub fn limits(&self, behind_proxy: bool) -> relais_web::ConnLimits {
        let cap = match self.max_connections_per_ip {
            Some(0) => None,
            Some(n) => Some(n),
            None if behind_proxy => None,
            None => relais_web::ConnLimits::DEFAULT.max_connections_per_ip,
        };
        relais_web::ConnLimits {
            header_read_timeout: std::time::Duration::from_millis(self.header_read_timeout_ms),
            max_connections_per_ip: cap,
        }
    }
}

/// Where emails go.
#[derive(Debug, Clone, Args)]
pub struct MailArgs {
    /// SMTP server, e.g. `smtps://user:password@smtp.example.org` or
    /// `smtp://localhost:25`. Without it, emails are written as `.eml` files into `--outbox`.
    #[arg(long, env = "RELAIS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of the emails.
    #[arg(
        long,
        env = "RELAIS_MAIL_FROM",
        default_value = "Relais <relais@localhost>"
    )]
    pub mail_from: String,
    /// Folder of the emails when no SMTP server is configured.
    #[arg(long, default_value = "relais-data/outbox")]
    pub outbox: PathBuf,
}

/// `relais admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Makes EMAIL an administrator of the partner NAME (created if it does not exist yet) and
    /// prints a one-time set-up link, valid 24 hours, on the last line.
    Create {
        #[arg(long)]
        email: String,
        /// The partner's name (or id, if it exists).
        #[arg(long)]
        partner: String,
        /// Structures of the directory (ids) that this partner keeps, attached at once.
        #[arg(long = "structure")]
        structures: Vec<String>,
        #[command(flatten)]
        site: Site,
        #[command(flatten)]
        db: Database,
    },
    /// Removes the second factor of EMAIL (a lost phone and lost recovery codes) and ends their
    /// sessions: at the next sign-in, after the password, they enrol a new one. Check who is
    /// asking before running it.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: Database,
    },
}

/// `relais partner …`
#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Makes the partner the keeper of these structures (and so of their services).
    Attach {
        /// The partner's id or name.
        #[arg(long)]
        partner: String,
        /// Structure ids (UUID, as in `/api/v1/services` results).
        #[arg(long = "structure", required = true)]
        structures: Vec<String>,
        #[command(flatten)]
        db: Database,
    },
}

/// `relais token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Creates an API token for the partner and prints it, alone, on the last line (it is never
    /// shown again).
    Create {
        /// The partner's id or name.
        #[arg(long)]
        partner: String,
        /// `services:read` or `services:write`.
        #[arg(long)]
        scope: String,
        /// What the token is for (shown in the partner's list).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: Database,
    },
}

/// `relais audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walks the hash chain of the journal: exit 0 with the head hash and the count, or exit 1
    /// naming the first event edited, removed or moved.
    Verify {
        /// A head hash noted earlier (from `/metrics`, the daily log line or a previous run):
        /// it must still be in the chain, so that a cut tail is caught.
        #[arg(long)]
        expect_head: Option<String>,
        #[command(flatten)]
        db: Database,
    },
}
