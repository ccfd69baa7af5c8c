//! Query-string parsing with errors a person can act on: every parameter is named in its error,
//! unknown parameters are refused (a typo must not silently widen a search).

use crate::error::{ApiError, FieldError};

/// The parameters of one request, consumed by name.
#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

/// Longest query string accepted.
pub const MAX_QUERY_BYTES: usize = 4096;

impl Params {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_BYTES {
            return Err(ApiError::TooLarge(format!(
                "la requête dépasse {MAX_QUERY_BYTES} octets de paramètres"
            )));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|e| {
            ApiError::BadRequest(vec![FieldError {
                field: None,
                detail: format!("paramètres illisibles : {e}"),
            }])
        })?;
        Ok(Self {
            pairs,
            errors: Vec::new(),
        })
    }

    /// Removes and returns every value of `name` (empty values dropped).
    pub fn all(&mut self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                if !v.trim().is_empty() {
                    out.push(v.trim().to_owned());
                }
                false
            } else {
                true
            }
        });
        out
    }

    /// Removes and returns the single value of `name`; repeated → an error.
    pub fn one(&mut self, name: &str) -> Option<String> {
        let mut v = self.all(name);
        if v.len() > 1 {
            self.error(name, "ce paramètre ne peut être donné qu'une fois");
        }
        v.pop()
    }

    /// Parses the single value of `name` with `f`, recording its error.
    pub fn parse_one<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        f: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let v = self.one(name)?;
        match f(&v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(name, e.to_string());
                None
            }
        }
    }

    /// A boolean flag: `true`/`1`/`on`/`yes` or `false`/`0`/`off`/`no`; absent is false.
    pub fn flag(&mut self, name: &str) -> bool {
        self.parse_one(name, |v| match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "oui" => Ok(true),
            "false" | "0" | "off" | "no" | "non" => Ok(false),
            _ => Err("valeur attendue : true ou false"),
        })
        .unwrap_or(false)
    }

    /// An integer within `range`, or `default`.
    pub fn int_in(
        &mut self,
        name: &str,
        range: std::ops::RangeInclusive<usize>,
        default: usize,
    ) -> usize {
        let (lo, hi) = (*range.start(), *range.end());
        self.parse_one(name, |v| match v.parse::<usize>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(format!("nombre entier attendu entre {lo} et {hi}")),
        })
        .unwrap_or(default)
    }

    /// Records an error on `field`.
    pub fn error(&mut self, field: &str, detail: impl Into<String>) {
        self.errors.push(FieldError {
            field: Some(field.to_owned()),
            detail: detail.into(),
        });
    }

    /// Whether an error was recorded for `field`.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field.as_deref() == Some(field))
    }

    /// Fails with every error but ignores unknown parameters: pages receive links with
    /// `utm_*`, `fbclid`… added by the apps they were shared through.
    pub fn finish_lenient(mut self) -> Result<(), ApiError> {
        self.pairs.clear();
        self.finish()
    }

    /// Fails with every error, including one per unknown parameter.
    pub fn finish(mut self) -> Result<(), ApiError> {
        let mut unknown: Vec<String> = self.pairs.drain(..).map(|(k, _)| k).collect();
        unknown.sort();
        unknown.dedup();
        for k in unknown {
            self.errors.push(FieldError {
                field: Some(k),
                detail: "paramètre inconnu".into(),
            });
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.errors))
        }
    }
}

/// Parses an instant in RFC 3339. A `+` in a query string decodes to a space, so
/// `2026-12-01T14:30:00+01:00` typed as is arrives as `2026-12-01T14:30:00 01:00`: the space
/// before the offset is read back as `+`.
pub fn parse_instant(v: &str) -> Result<chrono::DateTime<chrono::Utc>, &'static str> {
    let fixed;
    let v = match v.rsplit_once(' ') {
        Some((head, offset)) if offset.len() == 5 && offset.as_bytes()[2] == b':' => {
            fixed = format!("{head}+{offset}");
            fixed.as_str()
        }
        _ => v,
    };
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|d| d.with_timezone(&chrono::Utc))
        .map_err(|_| "date et heure RFC 3339 attendues (ex. 2026-12-01T14:30:00+01:00 ; encoder + en %2B)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_survive_a_plus_decoded_as_space() {
        let expected = parse_instant("2026-12-01T14:30:00+01:00").expect("valid");
        assert_eq!(parse_instant("2026-12-01T14:30:00 01:00"), Ok(expected));
        assert_eq!(parse_instant("2026-12-01T13:30:00Z"), Ok(expected));
        assert!(parse_instant("2026-12-01T14:30:00").is_err());
        assert!(parse_instant("demain 01:00").is_err());
    }
}
