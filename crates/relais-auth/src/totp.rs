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

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA1 seed "12345678901234567890" (ASCII).
    const RFC_KEY: &[u8] = b"12345678901234567890";

    fn time(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    fn rfc_secret() -> String {
        BASE32_NOPAD.encode(RFC_KEY)
    }

    /// RFC 6238 Appendix B, SHA1 rows: time → 8-digit TOTP.
    const RFC_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        for (seconds, eight) in RFC_VECTORS {
            let step = step_of(time(seconds));
            assert_eq!(
                code_with_digits(RFC_KEY, step, 8).as_deref(),
                Some(eight),
                "T = {seconds}"
            );
            assert_eq!(
                code_at(&rfc_secret(), step).as_deref(),
                Some(&eight[2..]),
                "T = {seconds}"
            );
            assert_eq!(
                verify(&rfc_secret(), &eight[2..], time(seconds)),
                Some(step)
            );
        }
    }

    #[test]
    fn steps_are_30_seconds_from_the_epoch() {
        assert_eq!(step_of(time(0)), 0);
        assert_eq!(step_of(time(29)), 0);
        assert_eq!(step_of(time(30)), 1);
        assert_eq!(step_of(time(59)), 1);
        assert_eq!(step_of(time(1_111_111_109)), 0x023523EC);
        assert_eq!(step_of(time(-1)), -1);
        assert_eq!(code_at(&rfc_secret(), -1), None);
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_no_more() {
        let secret = new_secret();
        let now = time(1_750_000_015);
        let step = step_of(now);
        for drift in [-1, 0, 1] {
            let code = code_at(&secret, step + drift).unwrap();
            let matched = verify(&secret, &code, now).expect("within one step");
            assert_eq!(code_at(&secret, matched).unwrap(), code);
        }
        for drift in [-2, 2, -10] {
            let code = code_at(&secret, step + drift).unwrap();
            let nearby: Vec<String> = (-1..=1)
                .map(|d| code_at(&secret, step + d).unwrap())
                .collect();
            if !nearby.contains(&code) {
                assert_eq!(verify(&secret, &code, now), None, "drift {drift}");
            }
        }
    }

    #[test]
    fn verify_tolerates_spaces_and_refuses_garbage() {
        let secret = rfc_secret();
        let now = time(59);
        assert_eq!(verify(&secret, " 287 082 ", now), Some(1));
        for garbage in [
            "",
            "28708",
            "2870822",
            "28708a",
            "abcdef",
            "２８７０８２",
            "287-082",
            "94287082",
        ] {
            assert_eq!(verify(&secret, garbage, now), None, "{garbage:?}");
        }
        assert_eq!(verify("not base32!", "287082", now), None);
        // Under RFC 4226's 128 bits.
        assert_eq!(verify(&BASE32_NOPAD.encode(b"short"), "287082", now), None);
        // Lower case and padding are fine.
        assert_eq!(
            verify(&format!("{}====", secret.to_lowercase()), "287082", now),
            Some(1)
        );
    }

    #[test]
    fn new_secrets_are_160_bits_of_base32() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(BASE32_NOPAD.decode(secret.as_bytes()).unwrap().len(), 20);
        assert!(!secret.contains('='));
        assert_ne!(secret, new_secret());
    }

    #[test]
    fn otpauth_uri_follows_the_key_uri_format() {
        assert_eq!(
            otpauth_uri("JBSWY3DPEHPK3PXP", "jean.dupont@example.fr"),
            "otpauth://totp/Relais:jean.dupont%40example.fr?secret=JBSWY3DPEHPK3PXP&issuer=Relais&algorithm=SHA1&digits=6&period=30"
        );
        assert!(otpauth_uri("A", "a b&c?d:é").contains("Relais:a%20b%26c%3Fd%3A%C3%A9?"));
    }

    /// Reads back the dark modules of `qr_svg`'s path (runs "M{x} {y}h{n}v1h-{n}z").
    fn modules_of(svg: &str) -> (usize, Vec<Vec<bool>>) {
        let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let size: usize = view_box.split(' ').next().unwrap().parse().unwrap();
        let mut grid = vec![vec![false; size]; size];
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for run in d.split('M').filter(|r| !r.is_empty()) {
            let (x, rest) = run.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let (n, rest) = rest.split_once('v').unwrap();
            assert_eq!(rest, format!("1h-{n}z"));
            let (x, y, n): (usize, usize, usize) =
                (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
            for cell in &mut grid[y][x..x + n] {
                assert!(!*cell, "runs do not overlap");
                *cell = true;
            }
        }
        (size, grid)
    }

    #[test]
    fn qr_svg_is_an_accessible_inline_svg_without_style() {
        let svg = qr_svg(
            &otpauth_uri(&new_secret(), "a@b.fr"),
            "QR code \"Relais\" <&>",
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert!(svg.ends_with("</svg>"));
        let lower = svg.to_lowercase();
        for forbidden in ["style", "<script", "<?xml", "javascript:", "onload", "href"] {
            assert!(!lower.contains(forbidden), "{forbidden}");
        }
        let open_tag = &svg[..svg.find('>').unwrap()];
        assert!(open_tag.contains(" role=\"img\""));
        assert!(open_tag.contains(" aria-label=\"QR code &quot;Relais&quot; &lt;&amp;&gt;\""));
        assert!(!open_tag.contains(" width="));
        assert!(!open_tag.contains(" height="));
        assert!(svg.contains("fill=\"#fff\"") && svg.contains("fill=\"#000\""));
    }

    #[test]
    fn qr_svg_draws_qrcodes_matrix_inside_a_four_module_quiet_zone() {
        let data = otpauth_uri(&new_secret(), "jean.dupont@example.fr");
        let svg = qr_svg(&data, "QR");
        let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        let width = code.width();
        let (size, grid) = modules_of(&svg);
        assert_eq!(size, width + 8);
        let colors = code.to_colors();
        for (y, row) in grid.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + width).contains(&y);
                let expected = inside
                    && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == qrcode::Color::Dark;
                assert_eq!(dark, expected, "module ({x}, {y})");
            }
        }
    }

    #[test]
    fn qr_svg_decodes_back_to_the_data() {
        let data = otpauth_uri(&new_secret(), "jean.dupont@example.fr");
        let (size, grid) = modules_of(&qr_svg(&data, "QR"));
        // Rasterise at 4 pixels a module, as a screen would, and read it with rqrr.
        let scale = 4;
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(size * scale, size * scale, |x, y| {
                if grid[y / scale][x / scale] { 0 } else { 255 }
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, data);
    }

    proptest::proptest! {
        #[test]
        fn a_fresh_code_always_verifies(seconds in 0i64..4_000_000_000, drift in -1i64..=1) {
            let secret = rfc_secret();
            let now = time(seconds);
            let code = code_at(&secret, step_of(now) + drift).unwrap();
            let matched = verify(&secret, &code, now);
            proptest::prop_assert!(matched.is_some());
            proptest::prop_assert!((matched.unwrap() - step_of(now)).abs() <= 1);
            proptest::prop_assert!(matched.unwrap() >= step_of(now) + drift);
        }
    }
}
