//! One module per subcommand.

pub mod accounts;
pub mod audit;
pub mod demo;
pub mod export;
pub mod import;
pub mod serve;

use std::process::ExitCode;

use relais_store::{DynStore, parse_database_url};

use crate::cli::{AdminCommand, AuditCommand, Command, PartnerCommand, TokenCommand};

/// Runs one command.
pub async fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            addr,
            db,
            demo,
            sync_interval_ms,
            site,
            proxy,
            mail,
            metrics,
            conn,
        } => {
            // The database URL is checked first: a mistyped one creates nothing, not even the
            // outbox folder.
            let store = open(&db.url).await?;
            let mailer = relais_web::mail::Mailer::new(
                mail.smtp_url.as_deref(),
                &mail.outbox,
                &mail.mail_from,
            )?;
            let mut pro = relais_web::pro::ProConfig::new(&site.public_url, mailer);
            pro.behind_proxy = proxy.behind_proxy;
            serve::serve(
                store,
                serve::ServeOptions {
                    addr,
                    demo,
                    sync: std::time::Duration::from_millis(sync_interval_ms),
                    pro,
                    metrics_addr: metrics.metrics_addr,
                    metrics_token: metrics.metrics_token,
                    conn: conn.limits(proxy.behind_proxy),
                },
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { files, db } => {
            let store = open(&db.url).await?;
            import::import_command(&store, &files).await
        }
        Command::Export { out, db } => {
            let store = open(&db.url).await?;
            let (st, sv) = export::export_to(&store, &out).await?;
            println!(
                "exported {st} structures and {sv} services to {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            services,
            seed,
            today,
            out,
        } => {
            let today = today.unwrap_or_else(|| {
                chrono::Utc::now()
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .date_naive()
            });
            demo::write_demo(services, seed, today, &out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    partner,
                    structures,
                    site,
                    db,
                },
        } => {
            let store = open(&db.url).await?;
            accounts::create_admin(&store, &email, &partner, &structures, &site.public_url).await
        }
        Command::Admin {
            command: AdminCommand::Reset2fa { email, db },
        } => {
            let store = open(&db.url).await?;
            accounts::reset_second_factor(&store, &email).await
        }
        Command::Partner {
            command:
                PartnerCommand::Attach {
                    partner,
                    structures,
                    db,
                },
        } => {
            let store = open(&db.url).await?;
            accounts::attach(&store, &partner, &structures).await
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    partner,
                    scope,
                    name,
                    db,
                },
        } => {
            let store = open(&db.url).await?;
            accounts::create_token(&store, &partner, &scope, &name).await
        }
        Command::Audit {
            command: AuditCommand::Verify { expect_head, db },
        } => {
            let store = open(&db.url).await?;
            audit::verify_command(&store, expect_head.as_deref()).await
        }
    }
}

/// Checks the URL's scheme before anything is created, then connects and migrates.
pub async fn open(url: &str) -> anyhow::Result<DynStore> {
    parse_database_url(url)?;
    Ok(relais_store::connect(url).await?)
}
