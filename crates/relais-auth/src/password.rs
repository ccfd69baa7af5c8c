//! Passwords: the rules for a new one, and how they are stored and checked.
//!
//! Rules follow NIST SP 800-63B-4 §3.1.1.2 (rev. 3: §5.1.1.2; length over composition rules, a
//! blocklist of common passwords, no context-specific words such as the
//! email); storage follows the OWASP Password Storage Cheat Sheet (Argon2id,
//! m = 19 MiB, t = 2, p = 1, a random salt per password).

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use unicode_normalization::UnicodeNormalization;

/// Minimum length (issue: at least 12 characters, counted in chars, not bytes,
/// so that accented letters count once). NIST SP 800-63B-4 asks for at least 8
/// when the password is one factor of several (15 when it is the only one);
/// Relais asks for 12 on top of TOTP.
pub const MIN_CHARS: usize = 12;

/// Maximum length in bytes: long enough for any passphrase (NIST SP 800-63B
/// asks to allow at least 64 characters), short enough that nobody makes the
/// server hash megabytes.
pub const MAX_BYTES: usize = 1024;

/// Argon2 memory cost in KiB: 19 MiB (OWASP Password Storage Cheat Sheet).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Argon2 iterations (OWASP Password Storage Cheat Sheet, with 19 MiB).
pub const T_COST: u32 = 2;
/// Argon2 parallelism (OWASP Password Storage Cheat Sheet).
pub const P_COST: u32 = 1;

/// Why a new password is refused; each has a stable [`code`](Self::code) the
/// pages translate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    TooShort,
    /// More than [`MAX_BYTES`] bytes.
    TooLong,
    /// In the embedded list of common passwords (NIST SP 800-63B: compare
    /// against values known to be commonly used).
    Common,
    /// Contains the local part of the person's email (NIST SP 800-63B:
    /// context-specific words such as the user name).
    ContainsEmail,
}

impl PasswordProblem {
    /// A stable machine-readable code: `"too_short"`, `"too_long"`,
    /// `"common"`, `"contains_email"` (message keys, API errors).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::TooLong => "too_long",
            Self::Common => "common",
            Self::ContainsEmail => "contains_email",
        }
    }
}

/// Entries of at least 12 characters of Django's common-password list (Royce
/// Williams' compilation, BSD-3-Clause; see `data/README.md`).
const COMMON_FROM_DJANGO: &str = include_str!("../data/common-passwords.txt");
/// Our own additions: obvious French / Paris / Relais passwords.
const COMMON_LOCAL: &str = include_str!("../data/local-passwords.txt");

/// The common-password lookup, built once on first use.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_FROM_DJANGO
        .lines()
        .chain(COMMON_LOCAL.lines())
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Whether `password`, trimmed and lower-cased, is in the embedded
/// common-password list.
#[must_use]
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.trim().to_lowercase().as_str())
}

/// Checks a NEW password: length, not in the embedded common-password list
/// (compare case-insensitively, after trimming), does not contain the local
/// part of the email (if ≥ 4 chars). NIST SP 800-63B-4 §3.1.1.2: no composition
/// rules, a blocklist instead. The first problem found is returned, in the
/// order of the variants.
pub fn check_new(password: &str, email: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if password.len() > MAX_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if is_common(password) {
        return Err(PasswordProblem::Common);
    }
    let local = email
        .rsplit_once('@')
        .map_or(email, |(local, _)| local)
        .trim()
        .to_lowercase();
    if local.chars().count() >= 4 && password.to_lowercase().contains(&local) {
        return Err(PasswordProblem::ContainsEmail);
    }
    Ok(())
}

/// The Argon2id hasher with OWASP's current parameters.
fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
        .expect("the OWASP Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// NFKC, as NIST SP 800-63B-4 §3.1.1.2 recommends, so that the same password typed
/// on two systems that compose accents differently ("é" as one code point or
/// as "e" + combining accent) hashes the same.
fn normalized(password: &str) -> String {
    password.nfkc().collect()
}

/// Argon2id PHC string with OWASP's current parameters (m = 19 MiB, t = 2,
/// p = 1), random 16-byte salt from the OS. The password is NFKC-normalised
/// first (NIST SP 800-63B). Slow on purpose (tens of milliseconds): call
/// [`hash_blocking`] from async code.
///
/// # Panics
/// When the OS random generator fails (no salt can be made).
#[must_use]
pub fn hash(password: &str) -> String {
    argon2()
        .hash_password(normalized(password).as_bytes())
        .expect("Argon2id hashing with a random salt")
        .to_string()
}

/// A fixed Argon2id hash with the same parameters as [`hash`], of a password
/// nobody knows, that [`verify`] checks when there is no stored hash, so that
/// an unknown account costs the same work as a known one. Made once with the
/// salt "relais-dummy-salt" and a random password that was then thrown away.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$cmVsYWlzLWR1bW15LXNhbHQ$L44asAKysu24MK/KF5QeXEBl8SX/6oaa4dg8HwzYrVk";

/// The hash [`verify`] checks: the stored one when it parses, else the dummy
/// one; and whether a match may count.
fn target(stored: Option<&str>) -> (PasswordHash, bool) {
    match stored.map(PasswordHash::new) {
        Some(Ok(parsed)) => (parsed, true),
        // Unknown account, no password set, or a hash that does not parse:
        // do the same work and refuse.
        _ => (
            PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses"),
            false,
        ),
    }
}

/// Verifies against `stored`; when `stored` is None (unknown account, or no
/// password set) it verifies against a fixed dummy hash of the same parameters
/// and returns false, so that timing does not reveal whether an account exists
/// (OWASP Authentication Cheat Sheet). The parameters are those of `stored`,
/// so older hashes keep working; see [`needs_rehash`].
#[must_use]
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    if password.len() > MAX_BYTES {
        // Never a valid password; refusing before hashing bounds the work.
        return false;
    }
    let (parsed, counts) = target(stored);
    let ok = argon2()
        .verify_password(normalized(password).as_bytes(), &parsed)
        .is_ok();
    ok && counts
}

/// Whether a stored hash was made with other parameters than today's (or does
/// not parse): after a successful sign-in the caller may store [`hash`] of the
/// password again (OWASP Password Storage Cheat Sheet, "upgrading the work factor").
#[must_use]
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || parsed.version != Some(0x13)
        || params.m_cost() != M_COST_KIB
        || params.t_cost() != T_COST
        || params.p_cost() != P_COST
}

/// Re-raises a panic of a blocking task in the awaiting task, so that the
/// async versions behave like the plain ones.
fn join<T>(result: Result<T, tokio::task::JoinError>) -> T {
    match result {
        Ok(value) => value,
        Err(error) => match error.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(error) => panic!("password task did not finish: {error}"),
        },
    }
}

/// At most one Argon2 computation per core at once: each takes 19 MiB and ~30 ms of a core, so
/// a burst of sign-ins queues here (cheaply, as waiting futures) instead of filling the blocking
/// pool with hundreds of threads and gigabytes. A request that times out drops its place.
static ARGON2_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

async fn permit() -> tokio::sync::SemaphorePermit<'static> {
    ARGON2_SLOTS
        .acquire()
        .await
        .expect("the semaphore is never closed")
}

/// [`hash`], off the async executor (`tokio::task::spawn_blocking`): Argon2 is
/// deliberately slow and would otherwise stall other requests.
pub async fn hash_blocking(password: String) -> String {
    let _permit = permit().await;
    join(tokio::task::spawn_blocking(move || hash(&password)).await)
}

/// [`verify`], off the async executor (`tokio::task::spawn_blocking`).
pub async fn verify_blocking(password: String, stored: Option<String>) -> bool {
    let _permit = permit().await;
    join(tokio::task::spawn_blocking(move || verify(&password, stored.as_deref())).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "jean.dupont@example.fr";

    #[test]
    fn hash_then_verify_round_trips_and_refuses_a_wrong_password() {
        let stored = hash("correct horse battery staple");
        assert!(verify("correct horse battery staple", Some(&stored)));
        assert!(!verify("correct horse battery stapler", Some(&stored)));
        assert!(!verify("", Some(&stored)));
    }

    #[test]
    fn the_phc_string_says_argon2id_with_owasp_parameters_and_a_random_salt() {
        let a = hash("un mot de passe assez long");
        let b = hash("un mot de passe assez long");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        let parsed = PasswordHash::new(&a).unwrap();
        assert_eq!(parsed.salt.unwrap().as_ref().len(), 16);
        assert!(!needs_rehash(&a));
    }

    #[test]
    fn verify_without_a_stored_hash_checks_the_dummy_hash_and_refuses() {
        assert!(!verify("anything at all, really", None));
        // Same work: the dummy hash has exactly today's parameters...
        assert!(!needs_rehash(DUMMY_HASH));
        assert_eq!(
            DUMMY_HASH
                .rsplit_once('$')
                .unwrap()
                .0
                .rsplit_once('$')
                .unwrap()
                .0,
            "$argon2id$v=19$m=19456,t=2,p=1"
        );
        // ...and it is what verify checks for an absent or unreadable hash.
        for stored in [None, Some(""), Some("not a phc string"), Some("$argon2id$")] {
            let (parsed, counts) = target(stored);
            assert_eq!(parsed.to_string(), DUMMY_HASH);
            assert!(!counts);
            assert!(!verify("anything at all, really", stored));
        }
        let real = hash("a real password here");
        let (parsed, counts) = target(Some(&real));
        assert_eq!(parsed.to_string(), real);
        assert!(counts);
    }

    #[test]
    fn older_parameters_still_verify_but_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        )
        .hash_password(b"an older password hash")
        .unwrap()
        .to_string();
        assert!(verify("an older password hash", Some(&weak)));
        assert!(needs_rehash(&weak));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn passwords_are_nfkc_normalised() {
        let composed = "café crème au lait";
        let decomposed = "cafe\u{301} cre\u{300}me au lait";
        assert_ne!(composed, decomposed);
        assert!(verify(decomposed, Some(&hash(composed))));
    }

    #[test]
    fn over_long_passwords_are_refused_without_hashing() {
        let stored = hash("some password ok");
        assert!(!verify(&"a".repeat(MAX_BYTES + 1), Some(&stored)));
    }

    #[tokio::test]
    async fn the_blocking_versions_agree() {
        let stored = hash_blocking("depuis le runtime async".to_owned()).await;
        assert!(verify_blocking("depuis le runtime async".to_owned(), Some(stored.clone())).await);
        assert!(!verify_blocking("autre chose que ça".to_owned(), Some(stored)).await);
        assert!(!verify_blocking("depuis le runtime async".to_owned(), None).await);
    }

    #[test]
    fn check_new_finds_each_problem() {
        assert_eq!(
            check_new("Tr0ub4dor&3", EMAIL),
            Err(PasswordProblem::TooShort)
        );
        // Counted in characters: 11 accented letters are 22 bytes but too short.
        assert_eq!(
            check_new(&"é".repeat(11), EMAIL),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check_new(&"é".repeat(12), EMAIL), Ok(()));
        assert_eq!(check_new(&"a".repeat(MAX_BYTES), EMAIL), Ok(()));
        assert_eq!(
            check_new(&"a".repeat(MAX_BYTES + 1), EMAIL),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check_new("Password1234", EMAIL),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("  QWERTYUIOP123 ", EMAIL),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("MotDePasse123", EMAIL),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("Jean.Dupont-2025!", EMAIL),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            check_new("xx jean.dupont xx", "JEAN.DUPONT@EXAMPLE.FR"),
            Err(PasswordProblem::ContainsEmail)
        );
        // A local part under 4 characters is not looked for.
        assert_eq!(check_new("bob likes long walks", "bob@example.fr"), Ok(()));
        assert_eq!(check_new("vingt-trois rue de Paris", EMAIL), Ok(()));
        assert_eq!(check_new("vingt-trois rue de Paris", ""), Ok(()));
    }

    #[test]
    fn problem_codes_are_stable() {
        assert_eq!(PasswordProblem::TooShort.code(), "too_short");
        assert_eq!(PasswordProblem::TooLong.code(), "too_long");
        assert_eq!(PasswordProblem::Common.code(), "common");
        assert_eq!(PasswordProblem::ContainsEmail.code(), "contains_email");
    }

    #[test]
    fn every_listed_password_is_refused_as_common() {
        let entries: Vec<&str> = COMMON_FROM_DJANGO
            .lines()
            .chain(COMMON_LOCAL.lines())
            .collect();
        assert_eq!(COMMON_FROM_DJANGO.lines().count(), 190);
        assert_eq!(COMMON.len(), entries.len(), "no duplicates, no blank lines");
        for entry in entries {
            assert_eq!(
                entry,
                entry.trim().to_lowercase(),
                "{entry:?} is stored normalised"
            );
            assert!(
                entry.chars().count() >= MIN_CHARS,
                "{entry:?} is long enough to matter"
            );
            assert_eq!(
                check_new(entry, EMAIL),
                Err(PasswordProblem::Common),
                "{entry:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn check_new_never_accepts_what_a_rule_forbids(password in "\\PC{0,40}", local in "[a-z.]{0,12}") {
            let email = format!("{local}@example.fr");
            if check_new(&password, &email).is_ok() {
                proptest::prop_assert!(password.chars().count() >= MIN_CHARS);
                proptest::prop_assert!(password.len() <= MAX_BYTES);
                proptest::prop_assert!(!is_common(&password));
                proptest::prop_assert!(local.len() < 4 || !password.to_lowercase().contains(&local));
            }
        }
    }
}
