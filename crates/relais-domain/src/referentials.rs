//! The data·inclusion v1 referentials (embedded from `data/`, see `data/PROVENANCE.md`):
//! thématiques, publics, frais, modes d'accueil, réseaux porteurs, types de services, modes de
//! mobilisation. Values are the schema's slugs; labels are French, as published.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// One entry of a referential.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Entry {
    pub value: String,
    pub label: String,
    pub description: Option<String>,
}

/// A referential: an ordered list of allowed values with their labels.
#[derive(Debug)]
pub struct Referential {
    /// The referential's name in data·inclusion (`thematiques`, `publics`…), for messages.
    pub name: &'static str,
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Referential {
    fn load(name: &'static str, json: &str) -> Self {
        let entries: Vec<Entry> = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("embedded referential {name}: {e}"));
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.value.clone(), i))
            .collect();
        Self {
            name,
            entries,
            index,
        }
    }

    /// Every entry, in the published order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether `value` is allowed.
    pub fn contains(&self, value: &str) -> bool {
        self.index.contains_key(value)
    }

    /// The entry for `value`.
    pub fn get(&self, value: &str) -> Option<&Entry> {
        self.index.get(value).map(|&i| &self.entries[i])
    }

    /// The French label of `value`, if it is allowed.
    pub fn label(&self, value: &str) -> Option<&str> {
        self.get(value).map(|e| e.label.as_str())
    }
}

macro_rules! referential {
    ($fn_name:ident, $name:literal, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub fn $fn_name() -> &'static Referential {
            static R: OnceLock<Referential> = OnceLock::new();
            R.get_or_init(|| Referential::load($name, include_str!(concat!("../data/", $file))))
        }
    };
}

referential!(
    themes,
    "thematiques",
    "thematiques.json",
    "Thématiques (themes): `parent--child` slugs."
);
referential!(publics, "publics", "publics.json", "Publics (audiences).");
referential!(
    fees,
    "frais",
    "frais.json",
    "Frais (fees): `gratuit` or `payant`."
);
referential!(
    reception_modes,
    "modes_accueil",
    "modes-accueil.json",
    "Modes d'accueil: `en-presentiel`, `a-distance`."
);
referential!(
    networks,
    "reseaux_porteurs",
    "reseaux-porteurs.json",
    "Réseaux porteurs (networks a structure belongs to)."
);
referential!(
    service_types,
    "type",
    "types-de-services.json",
    "Types de services."
);
referential!(
    mobilisation_modes,
    "modes_mobilisation",
    "modes-mobilisation.json",
    "Modes de mobilisation (how to reach the service)."
);
referential!(
    mobilisers,
    "mobilisable_par",
    "personnes-mobilisatrices.json",
    "Personnes mobilisatrices (who may mobilise the service)."
);

/// The 16 parent themes of data·inclusion v1 with their French labels. The v1 referential lists
/// only children (`parent--child`); a parent is the part before `--`. Labels come from the v0
/// referential where it had the same slug, and from data·inclusion's own site otherwise.
pub const PARENT_THEMES: &[(&str, &str)] = &[
    ("choisir-un-metier", "Choisir un métier"),
    ("creer-une-entreprise", "Créer une entreprise"),
    (
        "difficultes-administratives-ou-juridiques",
        "Difficultés administratives ou juridiques",
    ),
    ("difficultes-financieres", "Difficultés financières"),
    ("equipement-et-alimentation", "Équipement et alimentation"),
    ("famille", "Famille"),
    ("lecture-ecriture-calcul", "Lecture, écriture, calcul"),
    ("logement-hebergement", "Logement et hébergement"),
    ("mobilite", "Mobilité"),
    ("numerique", "Numérique"),
    ("preparer-sa-candidature", "Préparer sa candidature"),
    ("remobilisation", "Remobilisation"),
    ("sante", "Santé"),
    ("se-former", "Se former"),
    ("souvrir-a-linternational", "S’ouvrir à l’international"),
    ("trouver-un-emploi", "Trouver un emploi"),
];

/// The parent of a theme slug (`logement-hebergement--x` → `logement-hebergement`), or the
/// slug itself when it is a parent.
pub fn theme_parent(slug: &str) -> &str {
    slug.split_once("--").map_or(slug, |(p, _)| p)
}

/// Whether `slug` is a known theme: a v1 child or one of the parents.
pub fn is_known_theme(slug: &str) -> bool {
    themes().contains(slug) || PARENT_THEMES.iter().any(|(p, _)| *p == slug)
}

/// The French label of a theme (child or parent).
pub fn theme_label(slug: &str) -> Option<&'static str> {
    themes().label(slug).or_else(|| {
        PARENT_THEMES
            .iter()
            .find(|(p, _)| *p == slug)
            .map(|(_, l)| *l)
    })
}

/// Whether a service theme `slug` matches a searched theme `wanted`: equal, or `wanted` is the
/// parent of `slug`.
pub fn theme_matches(slug: &str, wanted: &str) -> bool {
    slug == wanted || (theme_parent(slug) == wanted && !wanted.contains("--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referentials_load() {
        assert_eq!(themes().entries().len(), 69);
        assert!(publics().contains("tous-publics"));
        assert!(fees().contains("gratuit"));
        assert!(reception_modes().contains("en-presentiel"));
        assert!(networks().contains("france-travail") || !networks().entries().is_empty());
        assert!(service_types().contains("accompagnement"));
        assert!(mobilisation_modes().contains("telephoner"));
        assert!(mobilisers().contains("usagers"));
    }

    #[test]
    fn every_child_theme_has_a_known_parent() {
        for e in themes().entries() {
            let p = theme_parent(&e.value);
            assert!(PARENT_THEMES.iter().any(|(q, _)| *q == p), "{p}");
        }
        assert_eq!(PARENT_THEMES.len(), 16);
    }

    #[test]
    fn parent_theme_matches_children() {
        let child =
            "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
        assert!(theme_matches(
            child,
            "difficultes-administratives-ou-juridiques"
        ));
        assert!(theme_matches(child, child));
        assert!(!theme_matches(child, "sante"));
        assert!(!theme_matches("sante--x", "sante--y"));
        assert_eq!(theme_label("sante"), Some("Santé"));
    }
}
