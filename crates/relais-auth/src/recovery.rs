//! Recovery codes: single-use codes that replace a TOTP code when the phone is
//! lost. The database keeps only [`hash_code`] of each.

use crate::secret::{fill_random, hash_secret};

/// How many codes a person gets at a time.
pub const COUNT: usize = 10;
/// Characters of randomness in a code (shown as two groups of 5).
pub const CHARS: usize = 10;
/// The alphabet: digits and lower-case letters without those easily misread
/// (0/o, 1/l/i): 31 symbols, so a code carries about 49.5 bits.
pub const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// One character drawn uniformly from [`ALPHABET`] (rejection sampling: no
/// modulo bias).
fn random_char() -> char {
    // 248 = 8 × 31: bytes from 248 up would make the first symbols likelier.
    let limit = u8::try_from(256 / ALPHABET.len() * ALPHABET.len()).unwrap_or(u8::MAX);
    loop {
        let mut byte = [0u8; 1];
        fill_random(&mut byte);
        if byte[0] < limit {
            return char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]);
        }
    }
}

/// One new code, `xxxxx-xxxxx`.
fn new_code() -> String {
    let mut code = String::with_capacity(CHARS + 1);
    for i in 0..CHARS {
        if i == CHARS / 2 {
            code.push('-');
        }
        code.push(random_char());
    }
    code
}

/// 10 new recovery codes, each 10 characters from an unambiguous alphabet (no
/// 0/O/1/l/I), shown as xxxxx-xxxxx. Distinct within a set.
#[must_use]
pub fn new_codes() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code = new_code();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// What a person typed, normalised (case, spaces, dashes removed) before
/// hashing, so that "ABCDE-FGHJK" and " abcde fghjk " are the same code.
#[must_use]
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `hash_secret(normalize(code))`: what the database keeps and looks up.
#[must_use]
pub fn hash_code(code: &str) -> String {
    hash_secret(&normalize(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_in_two_groups_of_five_from_the_alphabet() {
        let codes = new_codes();
        assert_eq!(codes.len(), COUNT);
        let distinct: std::collections::HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        for code in &codes {
            assert_eq!(code.len(), 11, "{code}");
            assert_eq!(&code[5..6], "-", "{code}");
            let plain = normalize(code);
            assert_eq!(plain.len(), CHARS);
            assert!(plain.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            for ambiguous in ['0', 'o', 'O', '1', 'l', 'I', 'i'] {
                assert!(!code.contains(ambiguous), "{code}");
            }
        }
        assert_ne!(new_codes(), codes);
    }

    #[test]
    fn the_alphabet_has_no_ambiguous_characters() {
        assert_eq!(ALPHABET.len(), 31);
        for ambiguous in b"0oO1lIi" {
            assert!(!ALPHABET.contains(ambiguous));
        }
    }

    #[test]
    fn typed_variants_of_a_code_hash_the_same() {
        assert_eq!(hash_code("ABCDE-FGHJK"), hash_code(" abcdefghjk "));
        assert_eq!(hash_code("abcde fghjk"), hash_code("abcde-fghjk"));
        assert_ne!(hash_code("abcde-fghjk"), hash_code("abcde-fghjm"));
        assert_eq!(
            hash_code("abcde-fghjk"),
            crate::secret::hash_secret("abcdefghjk")
        );
    }

    proptest::proptest! {
        #[test]
        fn normalize_is_idempotent(code in "\\PC{0,30}") {
            let once = normalize(&code);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }
}
