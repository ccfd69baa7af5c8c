//! What the index keeps of a service: what a result shows and what the filters need. The full
//! record (description, contacts, mobilisation…) stays in the store, where the detail page reads
//! it: keeping 50,000 full records in memory would cost more than the index itself.

use relais_domain::referentials::{publics, reception_modes};
use relais_domain::{Closure, Location, Service, ServiceHours, ServiceId, StructureId};

/// A service as search results show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub id: ServiceId,
    pub structure_id: StructureId,
    pub name: String,
    /// v1 theme slugs (the referential's own strings).
    pub themes: Vec<&'static str>,
    /// v1 public slugs.
    pub publics: Vec<&'static str>,
    pub location: Location,
    pub hours: ServiceHours,
    pub closures: Vec<Closure>,
    pub languages: Vec<String>,
    pub free: bool,
    /// v1 reception mode slugs.
    pub reception_modes: Vec<&'static str>,
    pub wheelchair_accessible: Option<bool>,
}

/// The referential's copy of each value; values it does not know (imports validate them, so
/// none in practice) are left out of the listing.
fn interned(
    values: &[String],
    referential: &'static relais_domain::referentials::Referential,
) -> Vec<&'static str> {
    values
        .iter()
        .filter_map(|v| referential.get(v).map(|e| e.value.as_str()))
        .collect()
}

impl Listing {
    /// The listing of a service.
    pub fn of(s: &Service) -> Self {
        Self {
            id: s.id,
            structure_id: s.structure_id,
            name: s.name.as_str().to_owned(),
            themes: s
                .themes
                .iter()
                .filter_map(|t| crate::index::static_theme(t))
                .collect(),
            publics: interned(&s.publics, publics()),
            location: s.location.clone(),
            hours: s.hours.clone(),
            closures: s.closures.clone(),
            languages: s.languages.clone(),
            free: s.is_free(),
            reception_modes: interned(&s.reception_modes, reception_modes()),
            wheelchair_accessible: s.wheelchair_accessible,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn referential_values_are_shared() {
        let a = super::interned(
            &["tous-publics".to_owned(), "martiens".to_owned()],
            super::publics(),
        );
        assert_eq!(a, vec!["tous-publics"]);
        let b = super::interned(&["tous-publics".to_owned()], super::publics());
        assert!(std::ptr::eq(a[0], b[0]));
    }
}
