//! `relais admin create`, `relais partner attach`, `relais token create`: an operator's way in
//! before anyone can sign in, each one transaction journaled with the actor `cli`.

use std::process::ExitCode;

use anyhow::{Context, bail};

use relais_auth::secret;
use relais_domain::StructureId;
use relais_domain::accounts::{Email, parse_partner_name};
use relais_domain::journal::NewEvent;
use relais_store::{DynStore, LinkPurpose, NewLink, Partner, Scope};

/// How long the first administrator's set-up link lasts (24 h).
pub const SETUP_LINK: chrono::TimeDelta = relais_web::pro::SETUP_LINK;

fn cli_event(action: &str) -> NewEvent {
    NewEvent::system(chrono::Utc::now(), "cli", action)
}

async fn partner(store: &DynStore, id_or_name: &str) -> anyhow::Result<Partner> {
    store
        .find_partner(id_or_name)
        .await?
        .with_context(|| format!("no partner has the id or name {id_or_name:?}"))
}

fn structure_ids(raw: &[String]) -> anyhow::Result<Vec<StructureId>> {
    raw.iter()
        .map(|s| {
            s.trim()
                .parse::<StructureId>()
                .with_context(|| format!("{s:?} is not a structure id (a UUID)"))
        })
        .collect()
}

/// Attaches `structures` to `partner`, each checked to exist (one event each).
async fn attach_all(
    store: &DynStore,
    partner: &Partner,
    structures: &[StructureId],
) -> anyhow::Result<()> {
    for id in structures {
        if store.get_structure(*id).await?.is_none() {
            bail!("structure {id} is not in the directory: nothing attached from here on");
        }
    }
    for id in structures {
        let mut e = cli_event("partner.attach_structure");
        e.partner = Some(partner.id.to_string());
        e.subject = Some(id.to_string());
        store.attach_structure(partner.id, *id, e).await?;
    }
    Ok(())
}

/// `relais admin create`: the link is printed alone on the last line.
pub async fn create_admin(
    store: &DynStore,
    email: &str,
    partner_name: &str,
    structures: &[String],
    public_url: &str,
) -> anyhow::Result<ExitCode> {
    let email = Email::parse(email).map_err(|_| anyhow::anyhow!("invalid email address"))?;
    let existing = store.find_partner(partner_name).await?;
    let name = match &existing {
        Some(p) => p.name.clone(),
        None => {
            parse_partner_name(partner_name).context("a partner's name has 2 to 200 characters")?
        }
    };
    let structures = structure_ids(structures)?;
    let token = secret::new_secret();
    let link = NewLink {
        token_hash: secret::hash_secret(&token),
        purpose: LinkPurpose::Setup,
        expires_at: chrono::Utc::now() + SETUP_LINK,
    };
    let (partner, _) = match store
        .bootstrap_admin(&email, &name, link, cli_event("member.bootstrap_admin"))
        .await?
    {
        Ok(done) => done,
        Err(_) => bail!(
            "this address is already a member of {name:?}: use « mot de passe oublié » on the sign-in page"
        ),
    };
    attach_all(store, &partner, &structures).await?;
    eprintln!(
        "administrator of {:?} (partner {}); set-up link valid 24 hours, usable once:",
        partner.name, partner.id
    );
    println!("{}/pro/lien/{token}", public_url.trim_end_matches('/'));
    Ok(ExitCode::SUCCESS)
}

/// `relais admin reset-2fa`.
pub async fn reset_second_factor(store: &DynStore, email: &str) -> anyhow::Result<ExitCode> {
    let email = Email::parse(email).map_err(|_| anyhow::anyhow!("invalid email address"))?;
    let user = store
        .find_user_by_email(&email)
        .await?
        .context("no account has this address")?;
    if store
        .reset_second_factor(user.id, cli_event("auth.second_factor_reset"))
        .await?
    {
        println!("second factor removed and sessions ended: the next sign-in enrols a new one");
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("this account has no second factor yet: nothing to reset")
    }
}

/// `relais partner attach`.
pub async fn attach(
    store: &DynStore,
    partner_ref: &str,
    structures: &[String],
) -> anyhow::Result<ExitCode> {
    let partner = partner(store, partner_ref).await?;
    let ids = structure_ids(structures)?;
    attach_all(store, &partner, &ids).await?;
    println!(
        "{} structure(s) attached to {:?} ({})",
        ids.len(),
        partner.name,
        partner.id
    );
    Ok(ExitCode::SUCCESS)
}

/// `relais token create`: the token alone on the last line.
pub async fn create_token(
    store: &DynStore,
    partner_ref: &str,
    scope: &str,
    name: &str,
) -> anyhow::Result<ExitCode> {
    let partner = partner(store, partner_ref).await?;
    let scope = Scope::parse(scope)
        .with_context(|| format!("unknown scope {scope:?}: services:read or services:write"))?;
    let name = relais_web::pro::parse_token_name(name)
        .context("a token's name has 1 to 100 characters")?;
    let token = relais_web::pro::issue_token(
        store,
        partner.id,
        scope,
        &name,
        None,
        cli_event("token.create"),
    )
    .await?;
    eprintln!(
        "token {:?} ({}) for {:?}; shown once:",
        name,
        scope.as_str(),
        partner.name
    );
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
