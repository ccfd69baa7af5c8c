//! Credentials of Relais, with no database and no HTTP: what the sign-in of
//! the professionals (password + TOTP) needs and can be checked on its own.
//!
//! - [`password`]: rules for a new password (NIST SP 800-63B-4 §3.1.1.2) and
//!   Argon2id hashing (OWASP Password Storage Cheat Sheet);
//! - [`secret`]: random secrets for links, sessions, CSRF and API tokens, and
//!   the SHA-256 the database keeps of them;
//! - [`totp`]: RFC 6238 codes, the `otpauth://` URI and its QR code;
//! - [`recovery`]: single-use recovery codes;
//! - [`throttle`]: how failed sign-ins slow or refuse the next attempt;
//! - [`session`]: when a session stops being usable.
#![warn(missing_docs)]

pub mod password;
pub mod recovery;
pub mod secret;
pub mod session;
pub mod throttle;
pub mod totp;
