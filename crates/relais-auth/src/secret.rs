//! Random secrets (sign-in links, sessions, CSRF, API tokens) and what the
//! database keeps of them.
//!
//! These secrets carry 256 bits from the OS generator, so a plain SHA-256 is
//! enough to store them: unlike passwords they cannot be guessed, and a slow
//! hash would only cost every request (OWASP Password Storage Cheat Sheet
//! concerns low-entropy secrets).

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a secret: 256 bits, beyond any guessing.
pub const SECRET_BYTES: usize = 32;

/// Prefix of API tokens, so that a leaked token is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "relais_";

/// Fills `buf` from the operating system's generator.
///
/// # Panics
/// When the OS has no randomness to give: nothing secret can be made then, and
/// going on with a predictable value would be worse than stopping.
pub(crate) fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random generator failed");
}

/// 32 random bytes from the OS, base64url without padding (43 chars): link,
/// session and CSRF secrets. URL- and cookie-safe as is.
#[must_use]
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    fill_random(&mut bytes);
    BASE64URL_NOPAD.encode(&bytes)
}

/// An API token: `"relais_"` + [`new_secret`]. Shown once; store [`hash_secret`] of it.
#[must_use]
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", new_secret())
}

/// SHA-256 hex (64 lower-case chars) of a high-entropy secret (links, sessions,
/// tokens, recovery codes): what the database keeps, so that a copy of the
/// database does not give working secrets.
#[must_use]
pub fn hash_secret(secret: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality (CSRF token check), so that the time taken does not
/// tell how many leading characters were right. Only the length may show,
/// which is public for our fixed-length secrets.
#[must_use]
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_43_url_safe_chars_and_differ() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
        assert_eq!(BASE64URL_NOPAD.decode(a.as_bytes()).unwrap().len(), 32);
    }

    #[test]
    fn api_tokens_have_the_prefix() {
        let t = new_api_token();
        assert!(t.starts_with("relais_"));
        assert_eq!(t.len(), 7 + 43);
    }

    #[test]
    fn hash_secret_is_sha256_hex() {
        // FIPS 180-2 test vector.
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash_secret(&new_secret()).len(), 64);
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(same("", ""));
    }
}
