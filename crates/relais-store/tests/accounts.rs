//! The accounts' suite, run on both backends like `tests/store.rs`: SQLite in a temporary folder
//! by default, PostgreSQL when `TEST_DATABASE_URL=postgres://…` is set (a database per test,
//! through `relais_testing::TestDatabase`).
//!
//! Besides each method's behaviour, it pins the transactional rule of the contract: a command
//! that acts appends exactly one journal event, a refused one writes nothing (no event either),
//! and the chain stays sound.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use relais_domain::accounts::{Email, MemberStatus, PartnerId, Role, TokenId, UserId};
use relais_domain::directory::{Location, Structure};
use relais_domain::ids::StructureId;
use relais_domain::journal::{NewEvent, verify};
use relais_domain::text::Name;
use relais_store::{
    ApiToken, DynStore, JournalFilter, LinkPurpose, LinkRefusal, MembershipRefusal, NewLink, Scope,
    Session, SessionStage, StoreError, connect,
};
use relais_testing::TestDatabase;

// ---------------------------------------------------------------------------------------------
// Helpers.

async fn fresh() -> (TestDatabase, DynStore) {
    let db = TestDatabase::new().await;
    let store = connect(&db.url).await.expect("connect");
    (db, store)
}

/// A fixed instant with microseconds (what PostgreSQL keeps), `s` seconds later.
fn t(s: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
        + Duration::microseconds(123_456)
        + Duration::seconds(s)
}

fn ev(action: &str) -> NewEvent {
    NewEvent::system(t(0), "cli", action)
}

fn ev_by(actor: &str, action: &str, at: DateTime<Utc>) -> NewEvent {
    NewEvent::system(at, actor, action)
}

fn email(s: &str) -> Email {
    Email::parse(s).expect("email")
}

fn new_link(hash: &str, purpose: LinkPurpose, expires_at: DateTime<Utc>) -> NewLink {
    NewLink {
        token_hash: hash.to_owned(),
        purpose,
        expires_at,
    }
}

/// The journal's seq (0 when empty).
async fn seq(st: &DynStore) -> i64 {
    st.journal_head().await.expect("head").map_or(0, |(s, _)| s)
}

/// The whole chain verifies (`relais audit verify`).
async fn assert_chain_sound(st: &DynStore) {
    let events = st.journal_page(0, 10_000).await.expect("journal");
    let head = verify(events, None).expect("sound chain");
    let (_, hash) = st.journal_head().await.expect("head").expect("some head");
    assert_eq!(head.hash, hash);
}

/// Bootstraps `mail` as the first admin of `name`, with set-up link `hash`.
async fn bootstrap(st: &DynStore, mail: &str, name: &str, hash: &str) -> (PartnerId, UserId) {
    let (p, u) = st
        .bootstrap_admin(
            &email(mail),
            name,
            new_link(hash, LinkPurpose::Setup, t(86_400)),
            ev("partner.bootstrap"),
        )
        .await
        .expect("store")
        .expect("bootstrapped");
    (p.id, u)
}

/// Invites `mail` into `partner` and makes them active through their link.
async fn active_member(st: &DynStore, partner: PartnerId, mail: &str, role: Role) -> UserId {
    let hash = format!("invite-{mail}");
    let user = st
        .invite_member(
            partner,
            &email(mail),
            role,
            new_link(&hash, LinkPurpose::Invite, t(3600)),
            ev("member.invite"),
        )
        .await
        .expect("store")
        .expect("invited");
    st.use_link(
        &hash,
        LinkPurpose::Invite,
        t(10),
        "$argon2id$x",
        ev("auth.link"),
    )
    .await
    .expect("store")
    .expect("used");
    user
}

fn structure(source_id: &str) -> Structure {
    Structure {
        id: StructureId::derive("test", source_id),
        source: "test".into(),
        source_id: source_id.into(),
        name: Name::parse(&format!("Point-justice {source_id}")).expect("name"),
        siret: None,
        description: None,
        location: Location {
            address: None,
            address_complement: None,
            postcode: None,
            commune: None,
            insee: None,
            point: None,
        },
        phone: None,
        email: None,
        website: None,
        source_link: None,
        accessibility_link: None,
        hours_text: None,
        networks: vec![],
        updated_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    }
}

fn session(id_hash: &str, user: UserId, stage: SessionStage) -> Session {
    Session {
        id_hash: id_hash.to_owned(),
        user_id: user,
        stage,
        csrf: format!("csrf-{id_hash}"),
        created_at: t(0),
        last_seen_at: t(0),
        expires_at: t(12 * 3600),
    }
}

fn token(partner: PartnerId, hash: &str, created: i64, by: Option<UserId>) -> ApiToken {
    ApiToken {
        id: TokenId::random(),
        partner_id: partner,
        name: format!("token {hash}"),
        scope: Scope::ServicesWrite,
        token_hash: hash.to_owned(),
        created_at: t(created),
        created_by: by,
        revoked_at: None,
        last_used_at: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Partners and bootstrap.

#[tokio::test]
async fn bootstrap_creates_partner_user_active_admin_and_setup_link_with_one_event() {
    let (_db, st) = fresh().await;
    let before = seq(&st).await;
    let (partner, user) = st
        .bootstrap_admin(
            &email("Alice@Example.fr"),
            "Point-justice Paris 18",
            new_link("h-setup", LinkPurpose::Setup, t(86_400)),
            ev("partner.bootstrap"),
        )
        .await
        .expect("store")
        .expect("bootstrapped");
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(partner.name, "Point-justice Paris 18");
    assert_eq!(partner.created_at, t(0));

    let events = st.journal_page(0, 10).await.expect("journal");
    let last = &events.last().expect("event").event;
    assert_eq!(
        last.partner.as_deref(),
        Some(partner.id.to_string().as_str())
    );
    assert_eq!(last.subject.as_deref(), Some(user.to_string().as_str()));

    let u = st.get_user(user).await.expect("get").expect("user");
    assert_eq!(u.email.as_str(), "alice@example.fr");
    assert_eq!(u.password_hash, None);
    assert_eq!(u.created_at, t(0));
    assert_eq!(
        st.find_user_by_email(&email("alice@example.fr"))
            .await
            .expect("find")
            .map(|u| u.id),
        Some(user)
    );
    let ms = st.memberships_of(user).await.expect("memberships");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].partner_id, partner.id);
    assert_eq!(ms[0].partner_name, "Point-justice Paris 18");
    assert_eq!(ms[0].role, Role::Admin);
    assert_eq!(ms[0].status, MemberStatus::Active);

    let link = st.get_link("h-setup").await.expect("get").expect("link");
    assert_eq!(link.purpose, LinkPurpose::Setup);
    assert_eq!(link.user_id, user);
    assert_eq!(link.expires_at, t(86_400));
    assert_eq!(link.used_at, None);

    // Found by id (as text) and by name, case-insensitively.
    for key in [partner.id.to_string(), "point-justice PARIS 18".to_owned()] {
        assert_eq!(
            st.find_partner(&key).await.expect("find"),
            Some(partner.clone())
        );
    }
    assert_eq!(st.find_partner("Nobody").await.expect("find"), None);
    assert_eq!(
        st.get_partner(partner.id).await.expect("get"),
        Some(partner.clone())
    );
    assert_eq!(
        st.get_partner(PartnerId::random()).await.expect("get"),
        None
    );
    assert_chain_sound(&st).await;
}

#[tokio::test]
async fn bootstrap_reuses_a_partner_by_case_insensitive_name_and_an_existing_user() {
    let (_db, st) = fresh().await;
    let (p1, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let (p2, bob) = bootstrap(&st, "bob@example.fr", "MAISON DE JUSTICE", "h2").await;
    assert_eq!(p1, p2);
    assert_ne!(alice, bob);
    // Alice again, another partner: the same user.
    let (p3, alice2) = bootstrap(&st, "alice@example.fr", "Autre partenaire", "h3").await;
    assert_ne!(p3, p1);
    assert_eq!(alice2, alice);
    let names: Vec<String> = st
        .memberships_of(alice)
        .await
        .expect("memberships")
        .into_iter()
        .map(|m| m.partner_name)
        .collect();
    assert_eq!(names, ["Autre partenaire", "Maison de justice"]);
    let members = st.members_of(p1).await.expect("members");
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].email.as_str(), "alice@example.fr");
    assert_eq!(members[1].email.as_str(), "bob@example.fr");
    assert!(!members[0].enrolled);
    assert_chain_sound(&st).await;
}

#[tokio::test]
async fn bootstrap_of_a_member_is_refused_and_writes_nothing() {
    let (_db, st) = fresh().await;
    let (partner, _) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let bob = active_member(&st, partner, "bob@example.fr", Role::Professional).await;
    let before = seq(&st).await;
    // Bob is a member (not a password-less admin), under another spelling of the name.
    let refused = st
        .bootstrap_admin(
            &email("bob@example.fr"),
            "maison de JUSTICE",
            new_link("h-bob", LinkPurpose::Setup, t(86_400)),
            ev("partner.bootstrap"),
        )
        .await
        .expect("store");
    assert_eq!(refused, Err(MembershipRefusal::AlreadyMember));
    assert_eq!(seq(&st).await, before);
    assert_eq!(st.get_link("h-bob").await.expect("get"), None);
    assert_eq!(st.memberships_of(bob).await.expect("m").len(), 1);

    // The partner was found, not created again.
    assert_eq!(
        st.find_partner("Maison de justice")
            .await
            .expect("find")
            .map(|p| p.id),
        Some(partner)
    );
}

#[tokio::test]
async fn bootstrap_again_before_the_password_is_set_replaces_the_setup_link() {
    let (_db, st) = fresh().await;
    let (partner, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let before = seq(&st).await;
    let (p, u) = bootstrap(&st, "alice@example.fr", "maison de justice", "h2").await;
    assert_eq!((p, u), (partner, alice));
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(
        st.get_link("h1").await.expect("get"),
        None,
        "the old link is dropped"
    );
    assert!(st.get_link("h2").await.expect("get").is_some());
    // Once the password is set, bootstrapping again is refused.
    st.use_link(
        "h2",
        LinkPurpose::Setup,
        t(5),
        "$argon2id$x",
        ev("auth.setup"),
    )
    .await
    .expect("store")
    .expect("used");
    let before = seq(&st).await;
    let again = st
        .bootstrap_admin(
            &email("alice@example.fr"),
            "Maison de justice",
            new_link("h3", LinkPurpose::Setup, t(86_400)),
            ev("partner.bootstrap"),
        )
        .await
        .expect("store");
    assert_eq!(again, Err(MembershipRefusal::AlreadyMember));
    assert_eq!(seq(&st).await, before);
    assert_chain_sound(&st).await;
}

#[tokio::test]
async fn structures_are_attached_to_one_keeper() {
    let (_db, st) = fresh().await;
    let (a, _) = bootstrap(&st, "alice@example.fr", "Partenaire A", "h1").await;
    let (b, _) = bootstrap(&st, "bob@example.fr", "Partenaire B", "h2").await;
    let s = structure("s1");
    st.apply_import(std::slice::from_ref(&s), &[])
        .await
        .expect("import");

    let before = seq(&st).await;
    assert!(
        st.attach_structure(a, s.id, ev("structure.attach"))
            .await
            .expect("attach")
    );
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(st.structures_of(a).await.expect("of"), [s.id]);
    assert_eq!(st.keeper_of(s.id).await.expect("keeper"), Some(a));
    // Attaching again moves it.
    assert!(
        st.attach_structure(b, s.id, ev("structure.attach"))
            .await
            .expect("attach")
    );
    assert_eq!(st.keeper_of(s.id).await.expect("keeper"), Some(b));
    assert!(st.structures_of(a).await.expect("of").is_empty());
    // An unknown structure: false, nothing written.
    let before = seq(&st).await;
    let unknown = StructureId::derive("test", "nowhere");
    assert!(
        !st.attach_structure(a, unknown, ev("structure.attach"))
            .await
            .expect("attach")
    );
    assert_eq!(seq(&st).await, before);
    assert_eq!(st.keeper_of(unknown).await.expect("keeper"), None);
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// Invitations and links.

#[tokio::test]
async fn an_invitation_is_activated_by_its_link() {
    let (_db, st) = fresh().await;
    let (partner, _) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let before = seq(&st).await;
    let bob = st
        .invite_member(
            partner,
            &email("bob@example.fr"),
            Role::Lawyer,
            new_link("h-inv", LinkPurpose::Invite, t(72 * 3600)),
            ev("member.invite"),
        )
        .await
        .expect("store")
        .expect("invited");
    assert_eq!(seq(&st).await, before + 1);
    let link = st.get_link("h-inv").await.expect("get").expect("link");
    assert_eq!(link.partner_id, Some(partner));
    assert_eq!(link.user_id, bob);
    let m = st.memberships_of(bob).await.expect("m");
    assert_eq!(
        (m[0].role, m[0].status),
        (Role::Lawyer, MemberStatus::Invited)
    );

    // Inviting again: refused, nothing written.
    let before = seq(&st).await;
    let again = st
        .invite_member(
            partner,
            &email("BOB@example.fr"),
            Role::Professional,
            new_link("h-inv2", LinkPurpose::Invite, t(72 * 3600)),
            ev("member.invite"),
        )
        .await
        .expect("store");
    assert_eq!(again, Err(MembershipRefusal::AlreadyMember));
    assert_eq!(seq(&st).await, before);
    assert_eq!(st.get_link("h-inv2").await.expect("get"), None);

    // A session of Bob's is signed out by the use of the link.
    st.put_session(&session("s-bob", bob, SessionStage::SignedIn), None, None)
        .await
        .expect("session");
    let before = seq(&st).await;
    let used = st
        .use_link(
            "h-inv",
            LinkPurpose::Invite,
            t(60),
            "$argon2id$bob",
            ev("auth.invite"),
        )
        .await
        .expect("store");
    assert_eq!(used, Ok(bob));
    assert_eq!(seq(&st).await, before + 1);
    let last = st.journal_page(before, 10).await.expect("journal");
    assert_eq!(
        last[0].event.subject.as_deref(),
        Some(bob.to_string().as_str())
    );
    let u = st.get_user(bob).await.expect("get").expect("user");
    assert_eq!(u.password_hash.as_deref(), Some("$argon2id$bob"));
    let m = st.memberships_of(bob).await.expect("m");
    assert_eq!(m[0].status, MemberStatus::Active);
    assert_eq!(st.get_session("s-bob").await.expect("get"), None);
    assert_eq!(
        st.get_link("h-inv")
            .await
            .expect("get")
            .expect("link")
            .used_at,
        Some(t(60))
    );
    assert_chain_sound(&st).await;
}

#[tokio::test]
async fn a_link_is_used_once_before_it_expires_for_its_purpose_only() {
    let (_db, st) = fresh().await;
    let (_, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let before = seq(&st).await;
    st.create_link(
        alice,
        new_link("h-reset", LinkPurpose::Reset, t(3600)),
        ev("auth.reset_asked"),
    )
    .await
    .expect("create");
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(
        st.create_link(
            UserId::random(),
            new_link("h-x", LinkPurpose::Reset, t(3600)),
            ev("auth.reset_asked")
        )
        .await
        .map_err(|e| matches!(e, StoreError::NotFound { .. })),
        Err(true)
    );
    assert_eq!(seq(&st).await, before + 1);

    let refused = |r: Result<Result<UserId, LinkRefusal>, StoreError>| r.expect("store").err();
    let before = seq(&st).await;
    // Wrong purpose, unknown hash: Unknown.
    assert_eq!(
        refused(
            st.use_link("h-reset", LinkPurpose::Invite, t(1), "$p", ev("auth.link"))
                .await
        ),
        Some(LinkRefusal::Unknown)
    );
    assert_eq!(
        refused(
            st.use_link("nope", LinkPurpose::Reset, t(1), "$p", ev("auth.link"))
                .await
        ),
        Some(LinkRefusal::Unknown)
    );
    // At or after its end: Expired.
    assert_eq!(
        refused(
            st.use_link(
                "h-reset",
                LinkPurpose::Reset,
                t(3600),
                "$p",
                ev("auth.link")
            )
            .await
        ),
        Some(LinkRefusal::Expired)
    );
    assert_eq!(seq(&st).await, before, "refusals write nothing");
    assert_eq!(
        st.get_user(alice)
            .await
            .expect("g")
            .expect("u")
            .password_hash,
        None
    );

    assert_eq!(
        st.use_link(
            "h-reset",
            LinkPurpose::Reset,
            t(3599),
            "$p1",
            ev("auth.link")
        )
        .await
        .expect("store"),
        Ok(alice)
    );
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(
        refused(
            st.use_link(
                "h-reset",
                LinkPurpose::Reset,
                t(3599),
                "$p2",
                ev("auth.link")
            )
            .await
        ),
        Some(LinkRefusal::AlreadyUsed)
    );
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(
        st.get_user(alice)
            .await
            .expect("g")
            .expect("u")
            .password_hash
            .as_deref(),
        Some("$p1")
    );
    assert_chain_sound(&st).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_uses_of_one_link_one_wins() {
    let (_db, st) = fresh().await;
    for round in 0..5 {
        let hash = format!("h-{round}");
        let (_, user) = bootstrap(
            &st,
            &format!("u{round}@example.fr"),
            &format!("Partenaire {round}"),
            &hash,
        )
        .await;
        let before = seq(&st).await;
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                let st = Arc::clone(&st);
                let hash = hash.clone();
                tokio::spawn(async move {
                    st.use_link(
                        &hash,
                        LinkPurpose::Setup,
                        t(1),
                        &format!("$p{i}"),
                        ev("auth.setup"),
                    )
                    .await
                    .expect("store")
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task"));
        }
        let wins = results.iter().filter(|r| **r == Ok(user)).count();
        let used = results
            .iter()
            .filter(|r| **r == Err(LinkRefusal::AlreadyUsed))
            .count();
        assert_eq!((wins, used), (1, 1), "{results:?}");
        assert_eq!(seq(&st).await, before + 1);
    }
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// Memberships.

#[tokio::test]
async fn statuses_and_removal_keep_an_active_admin() {
    let (_db, st) = fresh().await;
    let (partner, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let (other, _) = bootstrap(&st, "zoe@example.fr", "Autre", "h2").await;
    let bob = active_member(&st, partner, "bob@example.fr", Role::Professional).await;
    let stranger = UserId::random();

    let before = seq(&st).await;
    for status in [MemberStatus::Suspended, MemberStatus::Invited] {
        assert_eq!(
            st.set_member_status(partner, alice, status, ev("member.status"))
                .await
                .expect("s"),
            Err(MembershipRefusal::LastAdmin)
        );
    }
    assert_eq!(
        st.remove_member(partner, alice, ev("member.remove"))
            .await
            .expect("s"),
        Err(MembershipRefusal::LastAdmin)
    );
    for user in [stranger, bob] {
        let p = if user == bob { other } else { partner };
        assert_eq!(
            st.set_member_status(p, user, MemberStatus::Suspended, ev("member.status"))
                .await
                .expect("s"),
            Err(MembershipRefusal::NotMember)
        );
        assert_eq!(
            st.remove_member(p, user, ev("member.remove"))
                .await
                .expect("s"),
            Err(MembershipRefusal::NotMember)
        );
    }
    // Keeping an admin active is no removal of one.
    assert_eq!(seq(&st).await, before, "refusals write nothing");

    // Suspending and reactivating Bob: one event each.
    assert_eq!(
        st.set_member_status(partner, bob, MemberStatus::Suspended, ev("member.status"))
            .await
            .expect("s"),
        Ok(())
    );
    assert_eq!(seq(&st).await, before + 1);
    let status_of = |ms: Vec<relais_store::Member>, u: UserId| {
        ms.into_iter().find(|m| m.user_id == u).map(|m| m.status)
    };
    assert_eq!(
        status_of(st.members_of(partner).await.expect("m"), bob),
        Some(MemberStatus::Suspended)
    );
    assert_eq!(
        st.set_member_status(partner, bob, MemberStatus::Active, ev("member.status"))
            .await
            .expect("s"),
        Ok(())
    );
    assert_eq!(seq(&st).await, before + 2);

    // With a second active admin, the first may be suspended; then the second is the last.
    let carol = active_member(&st, partner, "carol@example.fr", Role::Admin).await;
    let before = seq(&st).await;
    assert_eq!(
        st.set_member_status(partner, alice, MemberStatus::Suspended, ev("member.status"))
            .await
            .expect("s"),
        Ok(())
    );
    assert_eq!(
        st.remove_member(partner, carol, ev("member.remove"))
            .await
            .expect("s"),
        Err(MembershipRefusal::LastAdmin)
    );
    assert_eq!(seq(&st).await, before + 1);
    // A suspended admin is not the last active one: removed.
    assert_eq!(
        st.remove_member(partner, alice, ev("member.remove"))
            .await
            .expect("s"),
        Ok(())
    );
    assert_eq!(seq(&st).await, before + 2);
    assert!(st.memberships_of(alice).await.expect("m").is_empty());
    assert!(
        st.get_user(alice).await.expect("g").is_some(),
        "the user stays"
    );

    // Removing an invited member drops their pending invitation link.
    let dan = st
        .invite_member(
            partner,
            &email("dan@example.fr"),
            Role::Professional,
            new_link("h-dan", LinkPurpose::Invite, t(3600)),
            ev("member.invite"),
        )
        .await
        .expect("store")
        .expect("invited");
    assert_eq!(
        st.remove_member(partner, dan, ev("member.remove"))
            .await
            .expect("s"),
        Ok(())
    );
    assert_eq!(st.get_link("h-dan").await.expect("get"), None);
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// Second factor.

#[tokio::test]
async fn totp_steps_and_recovery_codes_are_used_once() {
    let (_db, st) = fresh().await;
    let (partner, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    st.use_link("h1", LinkPurpose::Setup, t(1), "$p", ev("auth.setup"))
        .await
        .expect("store")
        .expect("used");
    let codes: Vec<String> = (0..10).map(|i| format!("code-{i}")).collect();
    let before = seq(&st).await;
    st.enrol_totp(
        alice,
        "JBSWY3DPEHPK3PXP",
        1000,
        &codes,
        ev("auth.totp_enrol"),
    )
    .await
    .expect("enrol");
    assert_eq!(seq(&st).await, before + 1);
    let u = st.get_user(alice).await.expect("g").expect("u");
    assert_eq!(u.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(u.totp_last_step, Some(1000));
    assert!(st.members_of(partner).await.expect("m")[0].enrolled);
    assert_eq!(st.recovery_codes_left(alice).await.expect("left"), 10);

    let before = seq(&st).await;
    assert!(
        !st.use_totp_step(alice, 1000).await.expect("step"),
        "the enrolment's step"
    );
    assert!(!st.use_totp_step(alice, 999).await.expect("step"));
    assert!(st.use_totp_step(alice, 1001).await.expect("step"));
    assert!(
        !st.use_totp_step(alice, 1001).await.expect("step"),
        "replay"
    );
    assert!(st.use_totp_step(alice, 1003).await.expect("step"));
    assert!(!st.use_totp_step(UserId::random(), 5).await.expect("step"));
    assert_eq!(
        st.get_user(alice)
            .await
            .expect("g")
            .expect("u")
            .totp_last_step,
        Some(1003)
    );

    assert!(
        st.use_recovery_code(alice, "code-3", t(2))
            .await
            .expect("code")
    );
    assert!(
        !st.use_recovery_code(alice, "code-3", t(3))
            .await
            .expect("code"),
        "used"
    );
    assert!(
        !st.use_recovery_code(alice, "code-x", t(3))
            .await
            .expect("code")
    );
    assert_eq!(st.recovery_codes_left(alice).await.expect("left"), 9);
    assert_eq!(seq(&st).await, before, "these take no event of their own");

    // Enrolling again replaces the codes.
    st.enrol_totp(
        alice,
        "NEWSECRET",
        2000,
        &["new-1".to_owned()],
        ev("auth.totp_enrol"),
    )
    .await
    .expect("enrol");
    assert_eq!(st.recovery_codes_left(alice).await.expect("left"), 1);
    assert!(
        !st.use_recovery_code(alice, "code-4", t(4))
            .await
            .expect("code")
    );
    assert!(
        st.use_recovery_code(alice, "new-1", t(4))
            .await
            .expect("code")
    );
    assert!(matches!(
        st.enrol_totp(UserId::random(), "S", 1, &[], ev("auth.totp_enrol"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_chain_sound(&st).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uses_of_one_totp_step_one_wins() {
    let (_db, st) = fresh().await;
    let (_, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    for step in 1..=5 {
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let st = Arc::clone(&st);
                tokio::spawn(async move { st.use_totp_step(alice, step).await.expect("step") })
            })
            .collect();
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.expect("task"));
        }
        assert_eq!(wins, 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions.

#[tokio::test]
async fn sessions_rotate_touch_and_end() {
    let (_db, st) = fresh().await;
    let (_, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let before = seq(&st).await;
    let first = session("s1", alice, SessionStage::SecondFactor);
    st.put_session(&first, None, None).await.expect("put");
    assert_eq!(seq(&st).await, before, "no event given, none appended");
    assert_eq!(st.get_session("s1").await.expect("get"), Some(first));

    let second = session("s2", alice, SessionStage::SignedIn);
    st.put_session(&second, Some("s1"), Some(ev("auth.sign_in")))
        .await
        .expect("put");
    assert_eq!(seq(&st).await, before + 1);
    assert_eq!(st.get_session("s1").await.expect("get"), None, "replaced");
    assert_eq!(
        st.get_session("s2").await.expect("get"),
        Some(second.clone())
    );

    st.touch_session("s2", t(600)).await.expect("touch");
    let touched = st.get_session("s2").await.expect("get").expect("session");
    assert_eq!(touched.last_seen_at, t(600));
    assert_eq!(touched.created_at, second.created_at);
    assert_eq!(seq(&st).await, before + 1);

    st.delete_session("s2", Some(ev("auth.sign_out")))
        .await
        .expect("delete");
    assert_eq!(seq(&st).await, before + 2);
    assert_eq!(st.get_session("s2").await.expect("get"), None);
    // Already gone: nothing to sign out of, no event.
    st.delete_session("s2", Some(ev("auth.sign_out")))
        .await
        .expect("delete");
    assert_eq!(seq(&st).await, before + 2);

    for id in ["a", "b", "c"] {
        st.put_session(&session(id, alice, SessionStage::SignedIn), None, None)
            .await
            .expect("put");
    }
    assert_eq!(
        st.delete_sessions_of(alice, ev("auth.sign_out_everywhere"))
            .await
            .expect("all"),
        3
    );
    assert_eq!(seq(&st).await, before + 3);
    assert_eq!(st.get_session("b").await.expect("get"), None);

    // Housekeeping: an idle session and an ended one go, a live one stays; no event.
    let live = Session {
        last_seen_at: t(3600),
        ..session("live", alice, SessionStage::SignedIn)
    };
    let idle = Session {
        last_seen_at: t(1000),
        ..session("idle", alice, SessionStage::SignedIn)
    };
    for s in [&live, &idle] {
        st.put_session(s, None, None).await.expect("put");
    }
    assert_eq!(st.purge_expired(t(3600 + 60)).await.expect("purge"), 1);
    assert!(st.get_session("live").await.expect("get").is_some());
    assert!(st.get_session("idle").await.expect("get").is_none());
    assert_eq!(
        st.purge_expired(t(12 * 3600)).await.expect("purge"),
        1,
        "the absolute end"
    );
    assert_eq!(seq(&st).await, before + 3);
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// Sign-in failures.

#[tokio::test]
async fn failures_are_recorded_counted_and_cleared() {
    let (_db, st) = fresh().await;
    let keys = |ip: &str| vec!["account:u1".to_owned(), format!("ip:{ip}")];
    let before = seq(&st).await;
    st.record_failure(&keys("10.0.0.1"), t(0), ev("auth.sign_in_failed"))
        .await
        .expect("r");
    st.record_failure(&keys("10.0.0.2"), t(30), ev("auth.sign_in_failed"))
        .await
        .expect("r");
    st.record_failure(&keys("10.0.0.1"), t(60), ev("auth.sign_in_failed"))
        .await
        .expect("r");
    assert_eq!(seq(&st).await, before + 3, "one event per failed attempt");

    assert_eq!(
        st.failures_since("account:u1", t(0)).await.expect("f"),
        [t(0), t(30), t(60)]
    );
    assert_eq!(
        st.failures_since("account:u1", t(1)).await.expect("f"),
        [t(30), t(60)]
    );
    assert_eq!(
        st.failures_since("ip:10.0.0.1", t(0)).await.expect("f"),
        [t(0), t(60)]
    );
    assert!(
        st.failures_since("ip:10.9.9.9", t(0))
            .await
            .expect("f")
            .is_empty()
    );

    // A success for the account forgets its failures, and housekeeping the old ones.
    st.clear_failures("account:u1", t(30)).await.expect("clear");
    assert!(
        st.failures_since("account:u1", t(0))
            .await
            .expect("f")
            .is_empty()
    );
    assert_eq!(
        st.failures_since("ip:10.0.0.1", t(0)).await.expect("f"),
        [t(60)]
    );
    assert_eq!(
        st.failures_since("ip:10.0.0.2", t(0)).await.expect("f"),
        [t(30)]
    );
    assert_eq!(seq(&st).await, before + 3);
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// API tokens.

#[tokio::test]
async fn api_tokens_are_created_listed_found_revoked_once_and_touched() {
    let (_db, st) = fresh().await;
    let (partner, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let (other, _) = bootstrap(&st, "zoe@example.fr", "Autre", "h2").await;
    let older = token(partner, "tok-1", 10, None);
    let newer = token(partner, "tok-2", 20, Some(alice));
    let before = seq(&st).await;
    st.create_api_token(&older, ev("token.create"))
        .await
        .expect("create");
    st.create_api_token(&newer, ev("token.create"))
        .await
        .expect("create");
    assert_eq!(seq(&st).await, before + 2);
    // The same secret twice: a clear conflict, nothing written.
    let clash = token(partner, "tok-1", 30, None);
    assert!(matches!(
        st.create_api_token(&clash, ev("token.create")).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(seq(&st).await, before + 2);

    assert_eq!(
        st.api_tokens_of(partner).await.expect("list"),
        [newer.clone(), older.clone()]
    );
    assert!(st.api_tokens_of(other).await.expect("list").is_empty());
    assert_eq!(
        st.find_api_token("tok-2").await.expect("find"),
        Some(newer.clone())
    );
    assert_eq!(st.find_api_token("tok-9").await.expect("find"), None);

    // Another partner's token cannot be revoked.
    assert!(
        !st.revoke_api_token(other, older.id, t(40), ev("token.revoke"))
            .await
            .expect("r")
    );
    assert_eq!(seq(&st).await, before + 2);
    assert!(
        st.revoke_api_token(partner, older.id, t(40), ev("token.revoke"))
            .await
            .expect("r")
    );
    assert_eq!(seq(&st).await, before + 3);
    assert!(
        !st.revoke_api_token(partner, older.id, t(50), ev("token.revoke"))
            .await
            .expect("r")
    );
    assert!(
        !st.revoke_api_token(partner, TokenId::random(), t(50), ev("token.revoke"))
            .await
            .expect("r")
    );
    assert_eq!(seq(&st).await, before + 3);
    let revoked = st
        .find_api_token("tok-1")
        .await
        .expect("find")
        .expect("token");
    assert_eq!(revoked.revoked_at, Some(t(40)));

    st.touch_api_token(newer.id, t(70)).await.expect("touch");
    assert_eq!(
        st.find_api_token("tok-2")
            .await
            .expect("find")
            .expect("t")
            .last_used_at,
        Some(t(70))
    );
    assert_eq!(seq(&st).await, before + 3);
    assert_chain_sound(&st).await;
}

// ---------------------------------------------------------------------------------------------
// Journal.

#[tokio::test]
async fn journal_of_a_partner_has_its_events_and_its_members_sign_ins() {
    let (_db, st) = fresh().await;
    let (partner, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let (other, zoe) = bootstrap(&st, "zoe@example.fr", "Autre", "h2").await;
    let a = alice.to_string();
    let p = partner.to_string();
    let on_partner = |actor: &str, action: &str, at: i64| {
        let mut e = ev_by(actor, action, t(at));
        e.partner = Some(p.clone());
        e
    };
    let e1 = st
        .append_event(on_partner(&a, "service.update", 100))
        .await
        .expect("append");
    let e2 = st
        .append_event(ev_by(&a, "auth.sign_in", t(200)))
        .await
        .expect("append");
    let e3 = st
        .append_event(on_partner("token:x", "service.create", 300))
        .await
        .expect("a");
    let _zoe_sign_in = st
        .append_event(ev_by(&zoe.to_string(), "auth.sign_in", t(400)))
        .await;
    let mut elsewhere = ev_by(&a, "service.update", t(500));
    elsewhere.partner = Some(other.to_string());
    st.append_event(elsewhere).await.expect("append");
    assert_eq!(e2.seq, e1.seq + 1);

    let all = JournalFilter::default();
    let seqs = |events: Vec<relais_domain::journal::Event>| -> Vec<i64> {
        events.into_iter().map(|e| e.seq).collect()
    };
    let bootstrap_seq = 1; // Alice's bootstrap names the partner.
    assert_eq!(
        seqs(
            st.journal_of(partner, &[(alice, t(0))], &all, 100)
                .await
                .expect("j")
        ),
        [e3.seq, e2.seq, e1.seq, bootstrap_seq]
    );
    // Without the members, no sign-ins.
    assert_eq!(
        seqs(st.journal_of(partner, &[], &all, 100).await.expect("j")),
        [e3.seq, e1.seq, bootstrap_seq]
    );
    assert_eq!(
        seqs(
            st.journal_of(partner, &[(alice, t(0))], &all, 2)
                .await
                .expect("j")
        ),
        [e3.seq, e2.seq]
    );
    assert_eq!(
        seqs(
            st.journal_of(
                partner,
                &[(alice, t(0))],
                &JournalFilter {
                    actor: Some(a.clone()),
                    ..all.clone()
                },
                100
            )
            .await
            .expect("j")
        ),
        [e2.seq, e1.seq]
    );
    assert_eq!(
        seqs(
            st.journal_of(
                partner,
                &[(alice, t(0))],
                &JournalFilter {
                    action_prefix: Some("service.".into()),
                    ..all.clone()
                },
                100
            )
            .await
            .expect("j")
        ),
        [e3.seq, e1.seq]
    );
    assert_eq!(
        seqs(
            st.journal_of(
                partner,
                &[(alice, t(0))],
                &JournalFilter {
                    from: Some(t(200)),
                    until: Some(t(300)),
                    ..all.clone()
                },
                100
            )
            .await
            .expect("j")
        ),
        [e2.seq]
    );
    assert_eq!(
        seqs(
            st.journal_of(
                partner,
                &[(alice, t(0))],
                &JournalFilter {
                    before_seq: Some(e3.seq),
                    ..all.clone()
                },
                2
            )
            .await
            .expect("j")
        ),
        [e2.seq, e1.seq]
    );
    assert_eq!(e1.event.at, t(100));
    let read = st
        .journal_of(partner, &[(alice, t(0))], &all, 100)
        .await
        .expect("j");
    assert_eq!(read[2], e1, "events read back as appended");
    assert_chain_sound(&st).await;
}

/// Issue 9, item 9: someone who joins a partner from another one brings no history with them —
/// the new partner sees their partner-less events (sign-ins, with their address) from the moment
/// they joined only, not while they were merely invited; the first partner still sees them all.
#[tokio::test]
async fn a_partner_sees_a_members_own_events_only_from_when_they_joined() {
    let (_db, st) = fresh().await;
    let (first, alice) = bootstrap(&st, "alice@example.fr", "Maison de justice", "h1").await;
    let (second, _zoe) = bootstrap(&st, "zoe@example.fr", "Autre", "h2").await;
    let a = alice.to_string();
    let sign_in = |at: i64, ip: &str| {
        let mut e = ev_by(&a, "auth.sign_in", t(at));
        e.ip = Some(ip.to_owned());
        e
    };
    let before = st
        .append_event(sign_in(100, "192.0.2.1"))
        .await
        .expect("append");
    st.invite_member(
        second,
        &email("alice@example.fr"),
        Role::Professional,
        new_link("invite-alice", LinkPurpose::Invite, t(3600)),
        ev_by("cli", "member.invite", t(200)),
    )
    .await
    .expect("store")
    .expect("invited");
    let invited = st
        .append_event(sign_in(250, "192.0.2.2"))
        .await
        .expect("append");
    st.use_link(
        "invite-alice",
        LinkPurpose::Invite,
        t(300),
        "$argon2id$x",
        ev_by(&a, "member.joined", t(300)),
    )
    .await
    .expect("store")
    .expect("used");
    let after = st
        .append_event(sign_in(400, "192.0.2.3"))
        .await
        .expect("append");

    // Who the store says joined when.
    let joined = |members: Vec<relais_store::Member>| -> Vec<(UserId, DateTime<Utc>)> {
        members
            .into_iter()
            .filter(|m| m.status == MemberStatus::Active)
            .filter_map(|m| Some((m.user_id, m.joined?)))
            .collect()
    };
    let in_first = joined(st.members_of(first).await.expect("members"));
    let in_second = joined(st.members_of(second).await.expect("members"));
    assert_eq!(
        in_first,
        [(alice, t(0))],
        "a first admin joins when bootstrapped"
    );
    assert!(in_second.contains(&(alice, t(300))), "{in_second:?}");

    let all = JournalFilter::default();
    let own = |events: Vec<relais_domain::journal::Event>| -> Vec<i64> {
        events
            .into_iter()
            .filter(|e| e.event.partner.is_none())
            .map(|e| e.seq)
            .collect()
    };
    let theirs = st
        .journal_of(second, &in_second, &all, 100)
        .await
        .expect("j");
    assert_eq!(own(theirs.clone()), [after.seq]);
    assert!(
        theirs
            .iter()
            .all(|e| !matches!(e.event.ip.as_deref(), Some("192.0.2.1" | "192.0.2.2"))),
        "{theirs:?}"
    );
    assert_eq!(
        own(st.journal_of(first, &in_first, &all, 100).await.expect("j")),
        [after.seq, invited.seq, before.seq]
    );
    assert_chain_sound(&st).await;
}
