//! The one implementation of [`crate::Accounts`], written once and expanded for each backend
//! (`accounts_sqlite.rs`, `accounts_postgres.rs`): the SQL is the same text on both (`$n`
//! parameters, which SQLite also reads), so the two cannot drift apart. What differs is given
//! to the macro: how a writing transaction begins (SQLite `BEGIN IMMEDIATE`; PostgreSQL the
//! advisory write lock) and how an event is appended in it.
//!
//! Every command that changes something runs in one writing transaction that ends with its
//! journal event; a refusal returns before the commit, so the transaction is rolled back on drop
//! and nothing (no event either) is written.

/// Implements [`crate::Accounts`] for `$store` (which has a `pool` field) on database `$db`. `$begin` starts a
/// writing transaction (holding the backend's write lock, so that appends link to the right
/// head); `$append` appends an event in it.
macro_rules! impl_accounts {
    ($store:ty, $db:ty, $begin:path, $append:path) => {
        #[async_trait::async_trait]
        impl $crate::accounts::Accounts for $store {
            async fn bootstrap_admin(
                &self,
                email: &relais_domain::accounts::Email,
                partner_name: &str,
                link: $crate::accounts::NewLink,
                event: relais_domain::journal::NewEvent,
            ) -> Result<
                Result<
                    ($crate::accounts::Partner, relais_domain::accounts::UserId),
                    $crate::accounts::MembershipRefusal,
                >,
                $crate::StoreError,
            > {
                use $crate::accounts_rows::*;
                use relais_domain::accounts::PartnerId;
                use $crate::{Entity, StoreError};
                let at = event.at;
                let mut tx = $begin(&self.pool).await?;
                let key = name_key(partner_name);
                let found: Option<PartnerRow> = sqlx::query_as(&format!(
                    "SELECT {PARTNER_COLUMNS} FROM partners WHERE name_key = $1"
                ))
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
                let partner = match found {
                    Some(row) => row.into_domain(),
                    None => {
                        let id = PartnerId::random();
                        let name = partner_name.trim().to_owned();
                        sqlx::query(
                            "INSERT INTO partners (id, name, name_key, created_at) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(id.0)
                        .bind(&name)
                        .bind(&key)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| StoreError::on_write_of(e, Entity::Partner, id.0, "name"))?;
                        $crate::accounts::Partner { id, name, created_at: at }
                    }
                };
                let user = match user_by_email(&mut tx, email).await? {
                    Some(u) => u,
                    None => insert_user(&mut tx, email, at).await?,
                };
                let membership: Option<(String,)> = sqlx::query_as(
                    "SELECT role FROM memberships WHERE user_id = $1 AND partner_id = $2",
                )
                .bind(user.id.0)
                .bind(partner.id.0)
                .fetch_optional(&mut *tx)
                .await?;
                match membership {
                    None => {
                        sqlx::query(
                            "INSERT INTO memberships \
                             (user_id, partner_id, role, status, created_at, joined_at) \
                             VALUES ($1, $2, 'admin', 'active', $3, $3)",
                        )
                        .bind(user.id.0)
                        .bind(partner.id.0)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    // A first admin who never used their set-up link (it expired, or the mail was
                    // lost) is bootstrapped again: a new set-up link replaces the unused ones.
                    Some((role,)) if role == "admin" && user.password_hash.is_none() => {
                        sqlx::query(
                            "DELETE FROM links WHERE user_id = $1 AND purpose = 'setup' \
                             AND used_at IS NULL",
                        )
                        .bind(user.id.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Some(_) => {
                        return Ok(Err($crate::accounts::MembershipRefusal::AlreadyMember));
                    }
                }
                let link = $crate::accounts::NewLink {
                    purpose: $crate::accounts::LinkPurpose::Setup,
                    ..link
                };
                insert_link(&mut tx, &link, user.id, Some(partner.id), at).await?;
                let mut event = event;
                event.partner = Some(partner.id.to_string());
                event.subject = Some(user.id.to_string());
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(Ok((partner, user.id)))
            }

            async fn find_partner(
                &self,
                id_or_name: &str,
            ) -> Result<Option<$crate::accounts::Partner>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                if let Ok(id) = id_or_name.trim().parse::<uuid::Uuid>() {
                    let row: Option<PartnerRow> = sqlx::query_as(&format!(
                        "SELECT {PARTNER_COLUMNS} FROM partners WHERE id = $1"
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    if let Some(row) = row {
                        return Ok(Some(row.into_domain()));
                    }
                }
                let row: Option<PartnerRow> = sqlx::query_as(&format!(
                    "SELECT {PARTNER_COLUMNS} FROM partners WHERE name_key = $1"
                ))
                .bind(name_key(id_or_name))
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(PartnerRow::into_domain))
            }

            async fn get_partner(
                &self,
                id: relais_domain::accounts::PartnerId,
            ) -> Result<Option<$crate::accounts::Partner>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<PartnerRow> = sqlx::query_as(&format!(
                    "SELECT {PARTNER_COLUMNS} FROM partners WHERE id = $1"
                ))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(PartnerRow::into_domain))
            }

            async fn attach_structure(
                &self,
                partner: relais_domain::accounts::PartnerId,
                structure: relais_domain::ids::StructureId,
                event: relais_domain::journal::NewEvent,
            ) -> Result<bool, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                let exists: Option<(uuid::Uuid,)> =
                    sqlx::query_as("SELECT id FROM structures WHERE id = $1")
                        .bind(structure.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_none() {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO partner_structures (structure_id, partner_id) VALUES ($1, $2) \
                     ON CONFLICT (structure_id) DO UPDATE SET partner_id = excluded.partner_id",
                )
                .bind(structure.0)
                .bind(partner.0)
                .execute(&mut *tx)
                .await?;
                let event = fill_event(event, Some(partner), Some(structure.0.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn structures_of(
                &self,
                partner: relais_domain::accounts::PartnerId,
            ) -> Result<Vec<relais_domain::ids::StructureId>, $crate::StoreError> {
                let ids: Vec<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT structure_id FROM partner_structures WHERE partner_id = $1 \
                     ORDER BY structure_id",
                )
                .bind(partner.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(ids
                    .into_iter()
                    .map(|(id,)| relais_domain::ids::StructureId(id))
                    .collect())
            }

            async fn keeper_of(
                &self,
                structure: relais_domain::ids::StructureId,
            ) -> Result<Option<relais_domain::accounts::PartnerId>, $crate::StoreError> {
                let id: Option<(uuid::Uuid,)> = sqlx::query_as(
                    "SELECT partner_id FROM partner_structures WHERE structure_id = $1",
                )
                .bind(structure.0)
                .fetch_optional(&self.pool)
                .await?;
                Ok(id.map(|(id,)| relais_domain::accounts::PartnerId(id)))
            }

            async fn services_of(
                &self,
                structures: &[relais_domain::ids::StructureId],
            ) -> Result<Vec<relais_domain::Service>, $crate::StoreError> {
                let mut rows: Vec<(uuid::Uuid, String)> = Vec::new();
                for s in structures {
                    let mut some: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                        "SELECT id, CAST(data AS TEXT) FROM services WHERE structure_id = $1",
                    )
                    .bind(s.0)
                    .fetch_all(&self.pool)
                    .await?;
                    rows.append(&mut some);
                }
                $crate::rows::decode_services(rows).await
            }

            async fn get_user(
                &self,
                id: relais_domain::accounts::UserId,
            ) -> Result<Option<$crate::accounts::User>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(UserRow::into_domain).transpose()
            }

            async fn find_user_by_email(
                &self,
                email: &relais_domain::accounts::Email,
            ) -> Result<Option<$crate::accounts::User>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                        .bind(email.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(UserRow::into_domain).transpose()
            }

            async fn memberships_of(
                &self,
                user: relais_domain::accounts::UserId,
            ) -> Result<Vec<$crate::accounts::Membership>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let rows: Vec<MembershipRow> = sqlx::query_as(
                    "SELECT m.partner_id, p.name AS partner_name, m.role, m.status \
                     FROM memberships m JOIN partners p ON p.id = m.partner_id \
                     WHERE m.user_id = $1 ORDER BY p.name_key, p.id",
                )
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(MembershipRow::into_domain).collect()
            }

            async fn members_of(
                &self,
                partner: relais_domain::accounts::PartnerId,
            ) -> Result<Vec<$crate::accounts::Member>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let rows: Vec<MemberRow> = sqlx::query_as(
                    "SELECT m.user_id, u.email, m.role, m.status, m.created_at AS since, \
                     m.joined_at, \
                     CAST(CASE WHEN u.password_hash IS NOT NULL AND u.totp_secret IS NOT NULL \
                     THEN 1 ELSE 0 END AS BIGINT) AS enrolled \
                     FROM memberships m JOIN users u ON u.id = m.user_id \
                     WHERE m.partner_id = $1 ORDER BY u.email",
                )
                .bind(partner.0)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(MemberRow::into_domain).collect()
            }

            async fn invite_member(
                &self,
                partner: relais_domain::accounts::PartnerId,
                email: &relais_domain::accounts::Email,
                role: relais_domain::accounts::Role,
                link: $crate::accounts::NewLink,
                event: relais_domain::journal::NewEvent,
            ) -> Result<
                Result<relais_domain::accounts::UserId, $crate::accounts::MembershipRefusal>,
                $crate::StoreError,
            > {
                use $crate::accounts_rows::*;
                let at = event.at;
                let mut tx = $begin(&self.pool).await?;
                let user = match user_by_email(&mut tx, email).await? {
                    Some(u) => u,
                    None => insert_user(&mut tx, email, at).await?,
                };
                let existing: Option<(String,)> = sqlx::query_as(
                    "SELECT status FROM memberships WHERE user_id = $1 AND partner_id = $2",
                )
                .bind(user.id.0)
                .bind(partner.0)
                .fetch_optional(&mut *tx)
                .await?;
                if existing.is_some() {
                    return Ok(Err($crate::accounts::MembershipRefusal::AlreadyMember));
                }
                sqlx::query(
                    "INSERT INTO memberships (user_id, partner_id, role, status, created_at) \
                     VALUES ($1, $2, $3, 'invited', $4)",
                )
                .bind(user.id.0)
                .bind(partner.0)
                .bind(role.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::StoreError::on_write_of(
                    e,
                    $crate::Entity::Membership,
                    partner.0,
                    "user_id, partner_id",
                ))?;
                let link = $crate::accounts::NewLink {
                    purpose: $crate::accounts::LinkPurpose::Invite,
                    ..link
                };
                insert_link(&mut tx, &link, user.id, Some(partner), at).await?;
                let event = fill_event(event, Some(partner), Some(user.id.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(Ok(user.id))
            }

            async fn set_member_status(
                &self,
                partner: relais_domain::accounts::PartnerId,
                user: relais_domain::accounts::UserId,
                status: relais_domain::accounts::MemberStatus,
                event: relais_domain::journal::NewEvent,
            ) -> Result<Result<(), $crate::accounts::MembershipRefusal>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                let leaves_admin = status != relais_domain::accounts::MemberStatus::Active;
                if let Err(refusal) = check_member(&mut tx, partner, user, leaves_admin).await? {
                    return Ok(Err(refusal));
                }
                // Made active, a membership has begun if it had not (the store lets an invitation
                // be activated so; the pages refuse it).
                sqlx::query(
                    "UPDATE memberships SET status = $1, joined_at = CASE WHEN $1 = 'active' \
                     THEN COALESCE(joined_at, $2) ELSE joined_at END \
                     WHERE user_id = $3 AND partner_id = $4",
                )
                .bind(status.as_str())
                .bind(event.at)
                .bind(user.0)
                .bind(partner.0)
                .execute(&mut *tx)
                .await?;
                let event = fill_event(event, Some(partner), Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(Ok(()))
            }

            async fn remove_member(
                &self,
                partner: relais_domain::accounts::PartnerId,
                user: relais_domain::accounts::UserId,
                event: relais_domain::journal::NewEvent,
            ) -> Result<Result<(), $crate::accounts::MembershipRefusal>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                if let Err(refusal) = check_member(&mut tx, partner, user, true).await? {
                    return Ok(Err(refusal));
                }
                sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND partner_id = $2")
                    .bind(user.0)
                    .bind(partner.0)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "DELETE FROM links WHERE user_id = $1 AND partner_id = $2 AND used_at IS NULL",
                )
                .bind(user.0)
                .bind(partner.0)
                .execute(&mut *tx)
                .await?;
                let event = fill_event(event, Some(partner), Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(Ok(()))
            }

            async fn create_link(
                &self,
                user: relais_domain::accounts::UserId,
                link: $crate::accounts::NewLink,
                event: relais_domain::journal::NewEvent,
            ) -> Result<(), $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                let exists: Option<(uuid::Uuid,)> =
                    sqlx::query_as("SELECT id FROM users WHERE id = $1")
                        .bind(user.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                if exists.is_none() {
                    return Err($crate::StoreError::NotFound {
                        entity: $crate::Entity::User,
                        id: user.0,
                    });
                }
                // A new link of a purpose replaces the unused ones of that purpose (only the
                // latest reset mail works).
                sqlx::query(
                    "DELETE FROM links WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
                )
                .bind(user.0)
                .bind(link.purpose.as_str())
                .execute(&mut *tx)
                .await?;
                insert_link(&mut tx, &link, user, None, event.at).await?;
                let event = fill_event(event, None, Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_link(
                &self,
                token_hash: &str,
            ) -> Result<Option<$crate::accounts::Link>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<LinkRow> = sqlx::query_as(&format!(
                    "SELECT {LINK_COLUMNS} FROM links WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                row.map(LinkRow::into_domain).transpose()
            }

            async fn use_link(
                &self,
                token_hash: &str,
                purpose: $crate::accounts::LinkPurpose,
                now: chrono::DateTime<chrono::Utc>,
                password_hash: &str,
                event: relais_domain::journal::NewEvent,
            ) -> Result<
                Result<relais_domain::accounts::UserId, $crate::accounts::LinkRefusal>,
                $crate::StoreError,
            > {
                use $crate::accounts::LinkRefusal;
                let mut tx = $begin(&self.pool).await?;
                // The single use: only one transaction can turn `used_at` from NULL.
                let used: Option<(uuid::Uuid, Option<uuid::Uuid>)> = sqlx::query_as(
                    "UPDATE links SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
                     AND used_at IS NULL AND expires_at > $1 RETURNING user_id, partner_id",
                )
                .bind(now)
                .bind(token_hash)
                .bind(purpose.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some((user, partner)) = used else {
                    // Why not, read in the same transaction; it rolls back on return.
                    let why: Option<(String, Option<chrono::DateTime<chrono::Utc>>)> =
                        sqlx::query_as("SELECT purpose, used_at FROM links WHERE token_hash = $1")
                            .bind(token_hash)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Ok(Err(match why {
                        Some((p, _)) if p != purpose.as_str() => LinkRefusal::Unknown,
                        None => LinkRefusal::Unknown,
                        Some((_, Some(_))) => LinkRefusal::AlreadyUsed,
                        Some((_, None)) => LinkRefusal::Expired,
                    }));
                };
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                if let Some(partner) = partner {
                    sqlx::query(
                        "UPDATE memberships SET status = 'active', joined_at = $1 \
                         WHERE user_id = $2 AND partner_id = $3 AND status = 'invited'",
                    )
                    .bind(now)
                    .bind(user)
                    .bind(partner)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                let mut event = event;
                event.subject = Some(user.to_string());
                if event.partner.is_none() {
                    event.partner = partner.map(|p| p.to_string());
                }
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(Ok(relais_domain::accounts::UserId(user)))
            }

            async fn enrol_totp(
                &self,
                user: relais_domain::accounts::UserId,
                secret: &str,
                step: i64,
                recovery_code_hashes: &[String],
                event: relais_domain::journal::NewEvent,
            ) -> Result<(), $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3",
                )
                .bind(secret)
                .bind(step)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound {
                        entity: $crate::Entity::User,
                        id: user.0,
                    });
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                for hash in recovery_code_hashes {
                    sqlx::query(
                        "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2) \
                         ON CONFLICT (user_id, code_hash) DO NOTHING",
                    )
                    .bind(user.0)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
                }
                let event = fill_event(event, None, Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reset_second_factor(
                &self,
                user: relais_domain::accounts::UserId,
                event: relais_domain::journal::NewEvent,
            ) -> Result<bool, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_last_step = NULL \
                     WHERE id = $1 AND totp_secret IS NOT NULL",
                )
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                for sql in [
                    "DELETE FROM recovery_codes WHERE user_id = $1",
                    "DELETE FROM sessions WHERE user_id = $1",
                ] {
                    sqlx::query(sql).bind(user.0).execute(&mut *tx).await?;
                }
                let event = fill_event(event, None, Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn use_totp_step(
                &self,
                user: relais_domain::accounts::UserId,
                step: i64,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
                     AND (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(user.0)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(
                &self,
                user: relais_domain::accounts::UserId,
                code_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 \
                     AND code_hash = $3 AND used_at IS NULL",
                )
                .bind(now)
                .bind(user.0)
                .bind(code_hash)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn recovery_codes_left(
                &self,
                user: relais_domain::accounts::UserId,
            ) -> Result<u32, $crate::StoreError> {
                let n: (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(user.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(u32::try_from(n.0).unwrap_or(u32::MAX))
            }

            async fn put_session(
                &self,
                session: &$crate::accounts::Session,
                replaces: Option<&str>,
                event: Option<relais_domain::journal::NewEvent>,
            ) -> Result<(), $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                if let Some(old) = replaces {
                    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                        .bind(old)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(&format!(
                    "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ))
                .bind(&session.id_hash)
                .bind(session.user_id.0)
                .bind(session.stage.as_str())
                .bind(&session.csrf)
                .bind(session.created_at)
                .bind(session.last_seen_at)
                .bind(session.expires_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::StoreError::on_write_of(
                    e,
                    $crate::Entity::Session,
                    session.user_id.0,
                    "id_hash",
                ))?;
                if let Some(event) = event {
                    let event = fill_event(event, None, Some(session.user_id.to_string()));
                    $append(&mut *tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn get_session(
                &self,
                id_hash: &str,
            ) -> Result<Option<$crate::accounts::Session>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<SessionRow> = sqlx::query_as(&format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1"
                ))
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await?;
                row.map(SessionRow::into_domain).transpose()
            }

            async fn touch_session(
                &self,
                id_hash: &str,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                    .bind(at)
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_session(
                &self,
                id_hash: &str,
                event: Option<relais_domain::journal::NewEvent>,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let gone: Option<(uuid::Uuid,)> =
                    sqlx::query_as("DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id")
                        .bind(id_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                // Signing out of a session that is already gone changes nothing: no event.
                let Some((user,)) = gone else {
                    return Ok(());
                };
                if let Some(event) = event {
                    let event = $crate::accounts_rows::fill_event(event, None, Some(user.to_string()));
                    $append(&mut *tx, event).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn delete_sessions_of(
                &self,
                user: relais_domain::accounts::UserId,
                event: relais_domain::journal::NewEvent,
            ) -> Result<u64, $crate::StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                let event = $crate::accounts_rows::fill_event(event, None, Some(user.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(done.rows_affected())
            }

            async fn record_failure(
                &self,
                keys: &[String],
                at: chrono::DateTime<chrono::Utc>,
                event: relais_domain::journal::NewEvent,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = $begin(&self.pool).await?;
                for key in keys {
                    sqlx::query("INSERT INTO auth_failures (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn failures_since(
                &self,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<chrono::DateTime<chrono::Utc>>, $crate::StoreError> {
                let rows: Vec<(chrono::DateTime<chrono::Utc>,)> = sqlx::query_as(
                    "SELECT at FROM auth_failures WHERE key = $1 AND at >= $2 ORDER BY at",
                )
                .bind(key)
                .bind(since)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(at,)| at).collect())
            }

            async fn clear_failures(
                &self,
                key: &str,
                older_than: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM auth_failures WHERE key = $1 OR at < $2")
                    .bind(key)
                    .bind(older_than)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn purge_expired(
                &self,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::StoreError> {
                let idle = now - chrono::TimeDelta::minutes(30);
                let mut n = sqlx::query(
                    "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                )
                .bind(now)
                .bind(idle)
                .execute(&self.pool)
                .await?
                .rows_affected();
                n += sqlx::query("DELETE FROM auth_failures WHERE at < $1")
                    .bind(now - chrono::TimeDelta::days(1))
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(n)
            }

            async fn create_api_token(
                &self,
                token: &$crate::accounts::ApiToken,
                event: relais_domain::journal::NewEvent,
            ) -> Result<(), $crate::StoreError> {
                use $crate::accounts_rows::*;
                let mut tx = $begin(&self.pool).await?;
                sqlx::query(&format!(
                    "INSERT INTO api_tokens ({API_TOKEN_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                ))
                .bind(token.id.0)
                .bind(token.partner_id.0)
                .bind(&token.name)
                .bind(token.scope.as_str())
                .bind(&token.token_hash)
                .bind(token.created_at)
                .bind(token.created_by.map(|u| u.0))
                .bind(token.revoked_at)
                .bind(token.last_used_at)
                .execute(&mut *tx)
                .await
                .map_err(|e| $crate::StoreError::on_write_of(
                    e,
                    $crate::Entity::ApiToken,
                    token.id.0,
                    "token_hash",
                ))?;
                let event = fill_event(event, Some(token.partner_id), Some(token.id.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn api_tokens_of(
                &self,
                partner: relais_domain::accounts::PartnerId,
            ) -> Result<Vec<$crate::accounts::ApiToken>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let rows: Vec<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE partner_id = $1 \
                     ORDER BY created_at DESC, id DESC"
                ))
                .bind(partner.0)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(ApiTokenRow::into_domain).collect()
            }

            async fn find_api_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<$crate::accounts::ApiToken>, $crate::StoreError> {
                use $crate::accounts_rows::*;
                let row: Option<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                row.map(ApiTokenRow::into_domain).transpose()
            }

            async fn revoke_api_token(
                &self,
                partner: relais_domain::accounts::PartnerId,
                id: relais_domain::accounts::TokenId,
                at: chrono::DateTime<chrono::Utc>,
                event: relais_domain::journal::NewEvent,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND partner_id = $3 \
                     AND revoked_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .bind(partner.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                let event =
                    $crate::accounts_rows::fill_event(event, Some(partner), Some(id.to_string()));
                $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn touch_api_token(
                &self,
                id: relais_domain::accounts::TokenId,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn append_event(
                &self,
                event: relais_domain::journal::NewEvent,
            ) -> Result<relais_domain::journal::Event, $crate::StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let linked = $append(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(linked)
            }

            async fn journal_of(
                &self,
                partner: relais_domain::accounts::PartnerId,
                members: &[(relais_domain::accounts::UserId, chrono::DateTime<chrono::Utc>)],
                filter: &$crate::accounts::JournalFilter,
                limit: u32,
            ) -> Result<Vec<relais_domain::journal::Event>, $crate::StoreError> {
                let q = $crate::accounts_sql::JournalQuery::new(partner, members, filter);
                let mut query = sqlx::query_as::<_, $crate::journal::JournalRow>(&q.sql);
                for text in q.texts {
                    query = query.bind(text);
                }
                if let Some(seq) = filter.before_seq {
                    query = query.bind(seq);
                }
                let rows = query
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map($crate::journal::JournalRow::into_event)
                    .collect())
            }
        }

        /// The user with this address, in the command's transaction.
        async fn user_by_email(
            tx: &mut sqlx::Transaction<'static, $db>,
            email: &relais_domain::accounts::Email,
        ) -> Result<Option<$crate::accounts::User>, $crate::StoreError> {
            use $crate::accounts_rows::*;
            let row: Option<UserRow> =
                sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
                    .bind(email.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
            row.map(UserRow::into_domain).transpose()
        }

        /// Creates a user without password nor second factor.
        async fn insert_user(
            tx: &mut sqlx::Transaction<'static, $db>,
            email: &relais_domain::accounts::Email,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<$crate::accounts::User, $crate::StoreError> {
            let id = relais_domain::accounts::UserId::random();
            sqlx::query("INSERT INTO users (id, email, created_at) VALUES ($1, $2, $3)")
                .bind(id.0)
                .bind(email.as_str())
                .bind(at)
                .execute(&mut **tx)
                .await
                .map_err(|e| $crate::StoreError::on_write_of(e, $crate::Entity::User, id.0, "email"))?;
            Ok($crate::accounts::User {
                id,
                email: email.clone(),
                password_hash: None,
                totp_secret: None,
                totp_last_step: None,
                created_at: at,
            })
        }

        /// Stores a one-time link of `user` (for `partner`, when it is about one).
        async fn insert_link(
            tx: &mut sqlx::Transaction<'static, $db>,
            link: &$crate::accounts::NewLink,
            user: relais_domain::accounts::UserId,
            partner: Option<relais_domain::accounts::PartnerId>,
            at: chrono::DateTime<chrono::Utc>,
        ) -> Result<(), $crate::StoreError> {
            sqlx::query(
                "INSERT INTO links (token_hash, purpose, user_id, partner_id, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&link.token_hash)
            .bind(link.purpose.as_str())
            .bind(user.0)
            .bind(partner.map(|p| p.0))
            .bind(link.expires_at)
            .bind(at)
            .execute(&mut **tx)
            .await
            .map_err(|e| $crate::StoreError::on_write_of(e, $crate::Entity::Link, user.0, "token_hash"))?;
            Ok(())
        }

        /// Whether `user` is a member of `partner` who may leave the active admins (when
        /// `leaves_admin`): `NotMember`, or `LastAdmin` for the only active admin.
        async fn check_member(
            tx: &mut sqlx::Transaction<'static, $db>,
            partner: relais_domain::accounts::PartnerId,
            user: relais_domain::accounts::UserId,
            leaves_admin: bool,
        ) -> Result<Result<(), $crate::accounts::MembershipRefusal>, $crate::StoreError> {
            use $crate::accounts::MembershipRefusal;
            let found: Option<(String, String)> = sqlx::query_as(
                "SELECT role, status FROM memberships WHERE user_id = $1 AND partner_id = $2",
            )
            .bind(user.0)
            .bind(partner.0)
            .fetch_optional(&mut **tx)
            .await?;
            let Some((role, status)) = found else {
                return Ok(Err(MembershipRefusal::NotMember));
            };
            if leaves_admin && role == "admin" && status == "active" {
                let admins: (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM memberships WHERE partner_id = $1 \
                     AND role = 'admin' AND status = 'active'",
                )
                .bind(partner.0)
                .fetch_one(&mut **tx)
                .await?;
                if admins.0 <= 1 {
                    return Ok(Err(MembershipRefusal::LastAdmin));
                }
            }
            Ok(Ok(()))
        }
    };
}

pub(crate) use impl_accounts;

use chrono::{DateTime, Utc};
use relais_domain::accounts::{PartnerId, UserId};

use crate::accounts::JournalFilter;

/// The SQL of [`crate::Accounts::journal_of`] (the same on both backends) and its text
/// parameters in order; then come `before_seq` (if any) and the limit.
pub(crate) struct JournalQuery {
    pub sql: String,
    pub texts: Vec<String>,
}

impl JournalQuery {
    pub fn new(
        partner: PartnerId,
        members: &[(UserId, DateTime<Utc>)],
        filter: &JournalFilter,
    ) -> Self {
        // `at` is the hashed RFC 3339 text (microseconds, `Z`): fixed width, so text order is
        // time order.
        let stamp = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let mut texts = vec![partner.to_string()];
        let mut sql = format!(
            "SELECT {} FROM journal WHERE (partner = $1",
            crate::journal::COLUMNS
        );
        if !members.is_empty() {
            // A member's own events only from the moment they joined: not the history they
            // bring from another partner.
            sql.push_str(" OR (partner IS NULL AND (");
            for (i, (m, since)) in members.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" OR ");
                }
                texts.push(m.to_string());
                texts.push(stamp(since));
                let n = texts.len();
                sql.push_str(&format!("(actor = ${} AND at >= ${n})", n - 1));
            }
            sql.push_str("))");
        }
        sql.push(')');
        if let Some(actor) = &filter.actor {
            texts.push(actor.clone());
            sql.push_str(&format!(" AND actor = ${}", texts.len()));
        }
        if let Some(prefix) = &filter.action_prefix {
            texts.push(prefix.clone());
            let n = texts.len();
            sql.push_str(&format!(" AND substr(action, 1, length(${n})) = ${n}"));
        }
        if let Some(from) = &filter.from {
            texts.push(stamp(from));
            sql.push_str(&format!(" AND at >= ${}", texts.len()));
        }
        if let Some(until) = &filter.until {
            texts.push(stamp(until));
            sql.push_str(&format!(" AND at < ${}", texts.len()));
        }
        let mut n = texts.len();
        if filter.before_seq.is_some() {
            n += 1;
            sql.push_str(&format!(" AND seq < ${n}"));
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", n + 1));
        Self { sql, texts }
    }
}
