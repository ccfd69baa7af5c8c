//! Time-based one-time passwords (RFC 6238) as authenticator apps know them:
//! HMAC-SHA1, 6 digits, 30-second steps, and the QR code that enrols a phone.

use chrono::{DateTime, Utc};
use data_encoding::BASE32_NOPAD;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder};

use crate::secret::fill_random;

/// Step length in seconds (RFC 6238 X; the value every app assumes).
pub const PERIOD: i64 = 30;
/// Digits in a code (what every app shows).
pub const DIGITS: usize = 6;
/// Bytes of a new secret: 160 bits, as RFC 4226 §4 recommends.
pub const SECRET_BYTES: usize = 20;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Relais";

/// A new 160-bit secret, base32 (RFC 4648, no padding) — RFC 4226 recommends
/// 160 bits. 32 characters, what authenticator apps accept typed by hand.
#[must_use]
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    fill_random(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// Decodes a base32 secret, tolerating lower case, spaces and `=` padding as
/// people and apps write them.
fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD.decode(cleaned.as_bytes()).ok()
}

/// Percent-encodes everything but RFC 3986 unreserved characters (label and
/// query values of the `otpauth` URI).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// otpauth://totp/Relais:{account}?secret=…&issuer=Relais&algorithm=SHA1&digits=6&period=30
/// (Google Authenticator's Key URI Format); `account` is percent-encoded.
#[must_use]
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    format!(
        "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        percent_encode(account),
        percent_encode(secret),
    )
}

/// The 30-second time step of `at` (RFC 6238 T = floor((unix time − T0) / X),
/// T0 = 0, X = 30).
#[must_use]
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(PERIOD)
}

/// The code of `key` for `step`, with `digits` digits (RFC 4226 §5.3 dynamic
/// truncation, by `totp-rs`). None for a step before 1970, an unusable digit
/// count, or a key shorter than RFC 4226's 128 bits.
fn code_with_digits(key: &[u8], step: i64, digits: usize) -> Option<String> {
    let time = u64::try_from(step)
        .ok()?
        .checked_mul(u64::try_from(PERIOD).ok()?)?;
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(u8::try_from(digits).ok()?)
        .with_skew(0)
        .with_step_duration(u64::try_from(PERIOD).ok()?)
        .with_secret(key)
        .build()
        .ok()?;
    Some(totp.generate(time).to_string())
}

/// The code for a step (for tests and the enrolment check): 6 digits, or None
/// when the secret is not base32 of at least 128 bits or the step is negative.
#[must_use]
pub fn code_at(secret: &str, step: i64) -> Option<String> {
    code_with_digits(&decode_secret(secret)?, step, DIGITS)
}

/// Checks a 6-digit code typed by a person (spaces allowed) at `at`, accepting
/// the previous, current and next step (clock drift, RFC 6238 §5.2); returns
/// the matching step (the caller stores it to refuse a replay, RFC 6238 §5.2)
/// or None. Constant-time compare, and all three steps are always computed.
/// If two steps give the same code, the latest is returned (the stricter for
/// replay checks).
#[must_use]
pub fn verify(secret: &str, code: &str, at: DateTime<Utc>) -> Option<i64> {
    let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = decode_secret(secret)?;
    let now = step_of(at);
    let mut matched = None;
    for step in [now - 1, now, now + 1] {
        let Some(expected) = code_with_digits(&key, step, DIGITS) else {
            continue;
        };
        if bool::from(expected.as_bytes().ct_eq(typed.as_bytes())) {
            matched = Some(step);
        }
    }
    matched
}

/// Escapes text for an XML attribute value.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Modules of quiet zone around the symbol (ISO/IEC 18004: 4 modules).
pub const QUIET_ZONE: usize = 4;

/// The QR code of `data` as an inline `<svg>` element: no `style` attribute,
/// no `<style>`, no script (the pages' CSP forbids inline style), with
/// `role="img"` and an aria-label given by the caller, a `viewBox` and no
/// width/height (CSS sizes it), black modules on white with the 4-module quiet
/// zone. Dark modules are one `<path>` of horizontal runs, one unit per module.
/// Error correction level M (15 %), the usual one for otpauth URIs.
///
/// # Panics
/// When `data` does not fit in a QR code (over about 2 KB at level M); an
/// otpauth URI is about 150 bytes.
#[must_use]
pub fn qr_svg(data: &str, aria_label: &str) -> String {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .expect("the data fits in a QR code");
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == qrcode::Color::Dark {
                let start = x;
                while x < width && row[x] == qrcode::Color::Dark {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE,
                    x - start,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}""#,
            r#" role="img" aria-label="{label}" shape-rendering="crispEdges">"#,
            r##"<rect width="{size}" height="{size}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/></svg>"##,
        ),
        size = size,
        label = escape_attribute(aria_label),
        path = path,
    )
}
