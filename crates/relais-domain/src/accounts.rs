//! Who is who in the network: partners, users and their memberships with a role. Ids of partners
//! and users are random (v4): unlike directory records they have no producer's id to derive from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! random_id {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("Identifier of a ", $kind, " (random).")]
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new random id.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

random_id!(PartnerId, "partner");
random_id!(UserId, "user");
random_id!(TokenId, "API token");

/// A member's role in a partner (DESIGN.md, Domain).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages the partner: members, places, services, tokens, journal.
    Admin,
    /// A social worker, jurist, mediator or agent of the partner.
    Professional,
    /// A lawyer (privileged notes, later).
    Lawyer,
    /// Pact coordination: aggregates of the whole network (later).
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Professional,
        Role::Lawyer,
        Role::Coordinator,
    ];

    /// The code stored and shown in URLs and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Professional => "professional",
            Self::Lawyer => "lawyer",
            Self::Coordinator => "coordinator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

/// Where a membership stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// Invited; becomes active when the invitation link is used.
    Invited,
    Active,
    /// Kept (and its history), but may do nothing for the partner.
    Suspended,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

impl FromStr for MemberStatus {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "invited" => Ok(Self::Invited),
            "active" => Ok(Self::Active),
            "suspended" => Ok(Self::Suspended),
            _ => Err(UnknownCode(s.to_owned())),
        }
    }
}

/// A code that names no known value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

/// An email address as Relais keeps it: trimmed and lower-cased (addresses are compared
/// case-insensitively; the local part is case-sensitive in theory, never in practice).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why an email address was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("adresse e-mail invalide")]
pub struct InvalidEmail;

impl Email {
    /// Accepts `local@domain.tld` without spaces or control characters, at most 254 bytes.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            });
        if ok { Ok(Self(s)) } else { Err(InvalidEmail) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    // An address is personal data: debug output (which may reach a log) does not show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(…)")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

/// The name of a partner: trimmed, 2 to 200 characters.
pub fn parse_partner_name(raw: &str) -> Option<String> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    (2..=200).contains(&s.chars().count()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Alice.Martin@Example.FR ").unwrap().as_str(),
            "alice.martin@example.fr"
        );
        for bad in [
            "",
            "alice",
            "@example.fr",
            "alice@",
            "alice@example",
            "a b@example.fr",
            "alice@@example.fr",
            "alice@.example.fr",
            "alice@example..fr",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
        assert_eq!(format!("{:?}", Email::parse("a@b.fr").unwrap()), "Email(…)");
    }

    #[test]
    fn roles_and_statuses_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("owner".parse::<Role>().is_err());
        for s in [
            MemberStatus::Invited,
            MemberStatus::Active,
            MemberStatus::Suspended,
        ] {
            assert_eq!(s.as_str().parse::<MemberStatus>(), Ok(s));
        }
    }

    #[test]
    fn partner_names_are_trimmed() {
        assert_eq!(
            parse_partner_name("  Point-justice   Paris 18 ").as_deref(),
            Some("Point-justice Paris 18")
        );
        assert_eq!(parse_partner_name(" x "), None);
    }
}
