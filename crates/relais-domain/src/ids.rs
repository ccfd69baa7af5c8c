//! Identifiers. A record imported from data·inclusion is identified there by `(source, id)`;
//! Relais derives a stable UUID (v5) from that pair so that the same record gets the same id on
//! every node and after every re-import, and ids in URLs never carry the producer's raw strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Namespace of Relais v5 UUIDs (a fixed random UUID; never change it: ids would change).
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a57_0c1e_4b7e_9d0a_5c3e_8b21_7f44);

macro_rules! id_type {
    ($name:ident, $kind:literal) => {
        #[doc = concat!("Stable identifier of a ", $kind, ", derived from its data·inclusion `(source, id)`.")]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The id of the record `source_id` of producer `source`.
            pub fn derive(source: &str, source_id: &str) -> Self {
                let name = format!("{}\u{0}{}\u{0}{}", $kind, source, source_id);
                Self(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
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

id_type!(StructureId, "structure");
id_type!(ServiceId, "service");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct_by_kind_and_source() {
        let a = ServiceId::derive("dora", "42");
        assert_eq!(a, ServiceId::derive("dora", "42"));
        assert_ne!(a, ServiceId::derive("dora", "43"));
        assert_ne!(a.0, StructureId::derive("dora", "42").0);
        // The separator keeps ("ab","c") and ("a","bc") apart.
        assert_ne!(ServiceId::derive("ab", "c"), ServiceId::derive("a", "bc"));
        assert_eq!(a.to_string().parse::<ServiceId>().ok(), Some(a));
    }
}
