//! v0 → v1 mapping tables. data·inclusion abandoned its v0 schema in 2025, but v0 records are
//! still in the wild (the API's own search responses use v0 names). Each table is explicit so that
//! a reviewer can read and question every decision; a v0 value absent from a table is dropped on
//! import with a note, never guessed.
//!
//! Shorthand in comments: `daj` = `difficultes-administratives-ou-juridiques`.

use relais_domain::referentials;

pub(crate) const DAJ_DROITS: &str =
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
pub(crate) const DAJ_DEMARCHES: &str =
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives";
pub(crate) const DAJ_JUDICIAIRE: &str =
    "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire";
pub(crate) const DAJ_CITOYENNETE: &str =
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete";
pub(crate) const DAJ_DISCRIMINATION: &str =
    "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination";
const DAJ_MESURE: &str =
    "difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte";
const NUM_FONDAMENTAUX: &str = "numerique--maitriser-les-fondamentaux-du-numerique";
const NUM_EN_LIGNE: &str = "numerique--acceder-a-des-services-en-ligne";
const NUM_EQUIPEMENT: &str = "numerique--acquerir-un-equipement";
const FRANCAIS: &str = "lecture-ecriture-calcul--maitriser-le-francais";

/// v0 themes that are not v1 themes, and what they become. A v0 slug that is already a v1 theme
/// (child, or one of the 16 parents) is kept as is and is not listed. An empty target means "no
/// v1 equivalent": dropped with a note.
///
/// Parent themes are kept as parents (`logement-hebergement`): Relais search matches a parent
/// against its children (`referentials::theme_matches`), and widening a v0 parent to every child
/// would invent precision the producer never gave.
pub const V0_THEMES: &[(&str, &[&str])] = &[
    // Access to rights: the heart of Relais, mapped onto the v1 `daj--*` children.
    (
        "acces-aux-droits-et-citoyennete",
        &["difficultes-administratives-ou-juridiques"],
    ),
    (
        "acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives",
        &[DAJ_DEMARCHES],
    ),
    // « Accompagnement juridique » covers both knowing one's rights and a judicial matter.
    (
        "acces-aux-droits-et-citoyennete--accompagnement-juridique",
        &[DAJ_DROITS, DAJ_JUDICIAIRE],
    ),
    (
        "acces-aux-droits-et-citoyennete--aide-aux-victimes",
        &[DAJ_JUDICIAIRE, DAJ_DROITS],
    ),
    (
        "acces-aux-droits-et-citoyennete--connaitre-ses-droits",
        &[DAJ_DROITS],
    ),
    (
        "acces-aux-droits-et-citoyennete--demandeurs-dasile-et-naturalisation",
        &[DAJ_CITOYENNETE],
    ),
    (
        "acces-aux-droits-et-citoyennete--developpement-durable",
        &[],
    ),
    (
        "acces-aux-droits-et-citoyennete--faciliter-laction-citoyenne",
        &["remobilisation--benevolat-action-citoyenne"],
    ),
    ("accompagnement-social-et-professionnel-personnalise", &[]),
    (
        "accompagnement-social-et-professionnel-personnalise--decrochage-scolaire",
        &["se-former--trouver-sa-formation"],
    ),
    (
        "accompagnement-social-et-professionnel-personnalise--definition-du-projet-professionnel",
        &["choisir-un-metier--identifier-ses-points-forts-et-ses-competences"],
    ),
    (
        "accompagnement-social-et-professionnel-personnalise--parcours-d-insertion-socioprofessionnel",
        &["preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi"],
    ),
    ("apprendre-francais", &[FRANCAIS]),
    (
        "apprendre-francais--accompagnement-insertion-pro",
        &[FRANCAIS],
    ),
    (
        "apprendre-francais--communiquer-vie-tous-les-jours",
        &[FRANCAIS],
    ),
    ("apprendre-francais--suivre-formation", &[FRANCAIS]),
    ("creation-activite", &["creer-une-entreprise"]),
    (
        "creation-activite--definir-son-projet-de-creation-dentreprise",
        &["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
    ),
    (
        "creation-activite--developper-son-entreprise",
        &["creer-une-entreprise--developper-son-entreprise"],
    ),
    (
        "creation-activite--financer-son-projet",
        &["creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"],
    ),
    (
        "creation-activite--reseautage-pour-createurs-dentreprise",
        &["creer-une-entreprise--developper-son-entreprise"],
    ),
    (
        "creation-activite--structurer-son-projet-de-creation-dentreprise",
        &["creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"],
    ),
    (
        "equipement-et-alimentation--acces-a-du-materiel-informatique",
        &[NUM_EQUIPEMENT],
    ),
    (
        "equipement-et-alimentation--acces-a-un-telephone-et-un-abonnement",
        &["numerique--acceder-a-une-connexion-internet"],
    ),
    (
        "famille--accompagnement-femme-enceinte-bebe-jeune-enfant",
        &["famille--soutien-a-la-parentalite-et-a-leducation"],
    ),
    (
        "famille--information-et-accompagnement-des-parents",
        &["famille--soutien-a-la-parentalite-et-a-leducation"],
    ),
    ("famille--jeunes-sans-soutien-familial", &["famille"]),
    (
        "famille--soutien-a-la-parentalite",
        &["famille--soutien-a-la-parentalite-et-a-leducation"],
    ),
    ("famille--soutien-aux-familles", &["famille"]),
    (
        "famille--violences-intrafamiliales",
        &["famille--surmonter-conflits-separation-violence"],
    ),
    ("gestion-financiere", &["difficultes-financieres"]),
    (
        "gestion-financiere--acces-au-micro-credit",
        &["difficultes-financieres"],
    ),
    (
        "gestion-financiere--accompagnement-aux-personnes-en-difficultes-financieres",
        &["difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"],
    ),
    (
        "gestion-financiere--apprendre-a-gerer-son-budget",
        &["difficultes-financieres--ameliorer-sa-gestion-budgetaire"],
    ),
    (
        "gestion-financiere--beneficier-daides-financieres",
        &["difficultes-financieres"],
    ),
    (
        "gestion-financiere--creation-et-utilisation-dun-compte-bancaire",
        &["difficultes-financieres--acquerir-une-autonomie-budgetaire"],
    ),
    (
        "gestion-financiere--obtenir-une-aide-alimentaire",
        &["equipement-et-alimentation--alimentation"],
    ),
    (
        "gestion-financiere--prevention-et-gestion-du-surendettement",
        &["difficultes-financieres--situation-dendettement-surendettement"],
    ),
    // v1 has no "handicap" theme: disability is an audience (`personnes-en-situation-de-handicap`).
    ("handicap", &[]),
    (
        "handicap--accompagnement-par-une-structure-specialisee",
        &[DAJ_MESURE],
    ),
    (
        "handicap--adaptation-au-poste-de-travail",
        &["trouver-un-emploi--maintien-dans-lemploi"],
    ),
    (
        "handicap--adapter-son-logement",
        &["logement-hebergement--se-maintenir-dans-le-logement"],
    ),
    (
        "handicap--aide-a-la-personne",
        &["famille--prise-en-charge-personne-dependante"],
    ),
    (
        "handicap--connaissance-des-droits-des-travailleurs",
        &[DAJ_DROITS],
    ),
    (
        "handicap--faire-reconnaitre-un-handicap",
        &["sante--constituer-un-dossier-mdph-invalidite"],
    ),
    (
        "handicap--favoriser-le-retour-et-le-maintien-dans-lemploi",
        &["trouver-un-emploi--maintien-dans-lemploi"],
    ),
    (
        "handicap--gerer-le-depart-a-la-retraite-des-personnes-en-situation-de-handicap",
        &[DAJ_DEMARCHES],
    ),
    (
        "handicap--mobilite-des-personnes-en-situation-de-handicap",
        &["mobilite--etre-accompagne-dans-son-parcours-mobilite"],
    ),
    ("illettrisme", &["lecture-ecriture-calcul"]),
    (
        "illettrisme--accompagner-scolarite",
        &["famille--soutien-a-la-parentalite-et-a-leducation"],
    ),
    ("illettrisme--ameliorer-vocabulaire", &[FRANCAIS]),
    ("illettrisme--etre-autonome", &[FRANCAIS]),
    (
        "illettrisme--info-acquisition-connaissances",
        &["lecture-ecriture-calcul"],
    ),
    (
        "illettrisme--permis-conduire",
        &["mobilite--preparer-un-permis"],
    ),
    ("illettrisme--reperer-situation-illettrisme", &[FRANCAIS]),
    (
        "illettrisme--surmonter-trouble-apprentissage",
        &["lecture-ecriture-calcul"],
    ),
    (
        "illettrisme--trouver-emploi-formation",
        &["se-former--trouver-sa-formation"],
    ),
    ("illettrisme--utiliser-numerique", &[NUM_FONDAMENTAUX]),
    (
        "illettrisme--valider-certification-clea",
        &["se-former--trouver-sa-formation"],
    ),
    (
        "logement-hebergement--aides-financieres-investissement-locatif",
        &["logement-hebergement--acheter-un-logement"],
    ),
    (
        "logement-hebergement--besoin-dadapter-mon-logement",
        &["logement-hebergement--se-maintenir-dans-le-logement"],
    ),
    (
        "logement-hebergement--connaissance-de-ses-droits-et-interlocuteurs",
        &["logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"],
    ),
    (
        "logement-hebergement--demenagement",
        &["logement-hebergement--changer-de-logement"],
    ),
    (
        "logement-hebergement--etre-accompagne-dans-son-projet-accession",
        &["logement-hebergement--acheter-un-logement"],
    ),
    // The space is in the published v0 slug.
    (
        "logement-hebergement--etre-accompagne-en cas-de-difficultes-financieres",
        &["logement-hebergement--reduire-les-impayes-de-loyer"],
    ),
    (
        "logement-hebergement--etre-accompagne-pour-se-loger",
        &["logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"],
    ),
    (
        "logement-hebergement--financer-son-projet-travaux",
        &["logement-hebergement--se-maintenir-dans-le-logement"],
    ),
    (
        "logement-hebergement--gerer-son-budget",
        &["difficultes-financieres--ameliorer-sa-gestion-budgetaire"],
    ),
    (
        "logement-hebergement--mal-loges-sans-logis",
        &["logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
    ),
    (
        "logement-hebergement--probleme-avec-son-logement",
        &["logement-hebergement--se-maintenir-dans-le-logement"],
    ),
    (
        "logement-hebergement--reprendre-un-emploi-ou-une-formation",
        &["logement-hebergement--changer-de-logement"],
    ),
    (
        "mobilite--acheter-un-vehicule-motorise",
        &["mobilite--acceder-a-un-vehicule"],
    ),
    (
        "mobilite--acheter-un-velo",
        &["mobilite--mobilite-douce-partagee-collective"],
    ),
    (
        "mobilite--aides-a-la-reprise-demploi-ou-a-la-formation",
        &["mobilite--financer-ma-mobilite"],
    ),
    (
        "mobilite--apprendre-a-utiliser-un-deux-roues",
        &["mobilite--mobilite-douce-partagee-collective"],
    ),
    (
        "mobilite--comprendre-et-utiliser-les-transports-en-commun",
        &["mobilite--mobilite-douce-partagee-collective"],
    ),
    (
        "mobilite--financer-mon-projet-mobilite",
        &["mobilite--financer-ma-mobilite"],
    ),
    (
        "mobilite--louer-un-vehicule",
        &["mobilite--acceder-a-un-vehicule"],
    ),
    (
        "mobilite--preparer-son-permis-de-conduire-se-reentrainer-a-la-conduite",
        &["mobilite--preparer-un-permis"],
    ),
    (
        "mobilite--preparer-un-permis-de-conduire",
        &["mobilite--preparer-un-permis"],
    ),
    ("numerique--acceder-a-du-materiel", &[NUM_EQUIPEMENT]),
    (
        "numerique--accompagner-les-demarches-de-sante",
        &[NUM_EN_LIGNE],
    ),
    (
        "numerique--approfondir-ma-culture-numerique",
        &[NUM_FONDAMENTAUX],
    ),
    ("numerique--creer-avec-le-numerique", &[NUM_FONDAMENTAUX]),
    (
        "numerique--creer-et-developper-mon-entreprise",
        &["creer-une-entreprise--developper-son-entreprise"],
    ),
    (
        "numerique--devenir-autonome-dans-les-demarches-administratives",
        &[NUM_EN_LIGNE],
    ),
    (
        "numerique--favoriser-mon-insertion-professionnelle",
        &[NUM_FONDAMENTAUX],
    ),
    (
        "numerique--prendre-en-main-un-ordinateur",
        &[NUM_FONDAMENTAUX],
    ),
    (
        "numerique--prendre-en-main-un-smartphone-ou-une-tablette",
        &[NUM_FONDAMENTAUX],
    ),
    (
        "numerique--promouvoir-la-citoyennete-numerique",
        &[NUM_FONDAMENTAUX],
    ),
    // Assisted online procedures are both a digital and an administrative help.
    (
        "numerique--realiser-des-demarches-administratives-avec-un-accompagnement",
        &[NUM_EN_LIGNE, DAJ_DEMARCHES],
    ),
    (
        "numerique--s-equiper-en-materiel-informatique",
        &[NUM_EQUIPEMENT],
    ),
    (
        "numerique--soutenir-la-parentalite-et-l-education-avec-le-numerique",
        &[NUM_FONDAMENTAUX],
    ),
    (
        "numerique--utiliser-le-numerique-au-quotidien",
        &[NUM_FONDAMENTAUX],
    ),
    (
        "remobilisation--bien-etre",
        &["remobilisation--bien-etre-confiance-en-soi"],
    ),
    (
        "remobilisation--decouvrir-son-potentiel-via-le-sport-et-la-culture",
        &["remobilisation--activites-sportives-et-culturelles"],
    ),
    ("remobilisation--discrimination", &[DAJ_DISCRIMINATION]),
    (
        "remobilisation--identifier-ses-competences-et-aptitudes",
        &["choisir-un-metier--identifier-ses-points-forts-et-ses-competences"],
    ),
    (
        "remobilisation--participer-a-des-actions-solidaires-ou-de-benevolat",
        &["remobilisation--benevolat-action-citoyenne"],
    ),
    (
        "remobilisation--pression-sociale",
        &["remobilisation--bien-etre-confiance-en-soi"],
    ),
    (
        "remobilisation--restaurer-sa-confiance-son-image-de-soi",
        &["remobilisation--bien-etre-confiance-en-soi"],
    ),
    (
        "sante--accompagnement-de-la-femme-enceinte-du-bebe-et-du-jeune-enfant",
        &["sante--acces-aux-soins"],
    ),
    (
        "sante--accompagner-les-traumatismes",
        &["sante--sante-mentale"],
    ),
    ("sante--bien-etre-psychologique", &["sante--sante-mentale"]),
    (
        "sante--diagnostic-et-accompagnement-a-lemployabilite",
        &["sante"],
    ),
    (
        "sante--faire-face-a-une-situation-daddiction",
        &["sante--addictions"],
    ),
    (
        "sante--obtenir-la-prise-en-charge-de-frais-medicaux",
        &["sante--acces-aux-soins", DAJ_DROITS],
    ),
    (
        "sante--prevention-et-acces-aux-soins",
        &["sante--acces-aux-soins"],
    ),
    (
        "sante--se-soigner-et-prevenir-la-maladie",
        &["sante--acces-aux-soins"],
    ),
    (
        "sante--vie-relationnelle-et-affective",
        &["sante--sante-sexuelle"],
    ),
    ("se-former--utiliser-le-numerique", &[NUM_FONDAMENTAUX]),
];

/// v0 `profils` → v1 `publics`. An empty target: no v1 audience says the same thing (an adult,
/// a tenant, an owner, a person who reads with difficulty): dropped with a note rather than
/// widened to `tous-publics`, which would claim what the producer did not.
pub const V0_PROFILS: &[(&str, &[&str])] = &[
    ("adultes", &[]),
    ("alternants", &["jeunes"]),
    ("beneficiaires-rsa", &["beneficiaires-des-minimas-sociaux"]),
    (
        "deficience-visuelle",
        &["personnes-en-situation-de-handicap"],
    ),
    ("demandeurs-demploi", &["demandeurs-emploi"]),
    ("etudiants", &["etudiants"]),
    ("familles-enfants", &["familles"]),
    ("femmes", &["femmes"]),
    ("handicaps-mentaux", &["personnes-en-situation-de-handicap"]),
    (
        "handicaps-psychiques",
        &["personnes-en-situation-de-handicap"],
    ),
    ("jeunes", &["jeunes"]),
    ("jeunes-16-26", &["jeunes"]),
    ("locataires", &[]),
    ("personnes-de-nationalite-etrangere", &["personnes-exilees"]),
    (
        "personnes-en-situation-de-handicap",
        &["personnes-en-situation-de-handicap"],
    ),
    (
        "personnes-en-situation-durgence",
        &["personnes-en-situation-durgence"],
    ),
    ("personnes-en-situation-illettrisme", &[]),
    (
        "personnes-handicapees",
        &["personnes-en-situation-de-handicap"],
    ),
    ("proprietaires", &[]),
    ("public-langues-etrangeres", &[]),
    ("retraites", &["seniors"]),
    ("salaries", &["actifs"]),
    // v1 describes `personnes-en-situation-durgence` as « SDF, victimes de violence, grande précarité ».
    ("sans-domicile-fixe", &["personnes-en-situation-durgence"]),
    ("seniors-65", &["seniors"]),
    (
        "sortants-de-detention",
        &["personnes-en-situation-juridique-specifique"],
    ),
    ("surdite", &["personnes-en-situation-de-handicap"]),
    ("tous-publics", &["tous-publics"]),
    ("victimes", &["personnes-en-situation-durgence"]),
];

/// v0 `types` (a list) → v1 `type` (one value): the first v0 type with a v1 equivalent wins.
/// `autonomie` (self-service) and `numerique` have none.
pub const V0_TYPES: &[(&str, Option<&str>)] = &[
    ("accompagnement", Some("accompagnement")),
    ("accueil", Some("information")),
    ("aide-financiere", Some("aide-financiere")),
    ("aide-materielle", Some("aide-materielle")),
    ("atelier", Some("atelier")),
    ("autonomie", None),
    ("delegation", Some("accompagnement")),
    ("financement", Some("aide-financiere")),
    ("formation", Some("formation")),
    ("information", Some("information")),
    ("numerique", None),
];

/// v0 `labels_nationaux` spelled differently from the v1 `reseaux_porteurs` slug.
pub const V0_LABELS: &[(&str, &str)] = &[
    ("conseiller-numerique", "conseillers-numeriques"),
    ("maisons-de-lemploi", "maisons-de-l-emploi"),
    ("france-services", "france-service"),
    // Chambres de commerce et d'industrie are the v1 « chambres consulaires ».
    ("cci", "chambres-consulaires"),
];

/// Régions (COG) → their départements, to turn a v0 `zone_diffusion_type = region` into the v1
/// `zone_eligibilite` list, which has no region code (the v1 schema says: list the départements).
pub const REGIONS: &[(&str, &[&str])] = &[
    ("01", &["971"]),
    ("02", &["972"]),
    ("03", &["973"]),
    ("04", &["974"]),
    ("06", &["976"]),
    ("11", &["75", "77", "78", "91", "92", "93", "94", "95"]),
    ("24", &["18", "28", "36", "37", "41", "45"]),
    ("27", &["21", "25", "39", "58", "70", "71", "89", "90"]),
    ("28", &["14", "27", "50", "61", "76"]),
    ("32", &["02", "59", "60", "62", "80"]),
    (
        "44",
        &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"],
    ),
    ("52", &["44", "49", "53", "72", "85"]),
    ("53", &["22", "29", "35", "56"]),
    (
        "75",
        &[
            "16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87",
        ],
    ),
    (
        "76",
        &[
            "09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82",
        ],
    ),
    (
        "84",
        &[
            "01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74",
        ],
    ),
    ("93", &["04", "05", "06", "13", "83", "84"]),
    ("94", &["2A", "2B"]),
];

/// What a v0 theme becomes: `Some(targets)` (possibly empty: no equivalent), `None` if the
/// slug is neither v0 nor v1.
pub fn map_v0_theme(slug: &str) -> Option<Vec<String>> {
    if let Some((_, to)) = V0_THEMES.iter().find(|(from, _)| *from == slug) {
        return Some(to.iter().map(|t| (*t).to_owned()).collect());
    }
    referentials::is_known_theme(slug).then(|| vec![slug.to_owned()])
}

/// What a v0 profil becomes (`None`: not a v0 profil at all).
pub fn map_v0_profil(slug: &str) -> Option<&'static [&'static str]> {
    V0_PROFILS
        .iter()
        .find(|(from, _)| *from == slug)
        .map(|(_, to)| *to)
}

/// The v1 type of a v0 type (`None` when the v0 type has no equivalent or is unknown).
pub fn map_v0_type(slug: &str) -> Option<&'static str> {
    V0_TYPES
        .iter()
        .find(|(from, _)| *from == slug)
        .and_then(|(_, to)| *to)
}

/// The v1 network slug for a v0 national label, if v1 knows it.
pub fn map_v0_label(slug: &str) -> Option<String> {
    let slug = V0_LABELS
        .iter()
        .find(|(from, _)| *from == slug)
        .map_or(slug, |(_, to)| to);
    referentials::networks()
        .contains(slug)
        .then(|| slug.to_owned())
}

/// The départements of a région code.
pub fn region_departements(code: &str) -> Option<&'static [&'static str]> {
    REGIONS.iter().find(|(r, _)| *r == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_domain::referentials::{is_known_theme, publics, service_types};

    #[test]
    fn every_target_is_a_v1_value() {
        for (from, to) in V0_THEMES {
            for t in *to {
                assert!(is_known_theme(t), "{from} → {t}");
            }
        }
        for (from, to) in V0_PROFILS {
            for t in *to {
                assert!(publics().contains(t), "{from} → {t}");
            }
        }
        for (from, to) in V0_LABELS {
            assert_eq!(map_v0_label(from).as_deref(), Some(*to));
        }
        for (_, to) in V0_TYPES {
            if let Some(t) = to {
                assert!(service_types().contains(t), "{t}");
            }
        }
    }

    #[test]
    fn every_v0_theme_and_profil_is_decided() {
        let v0: Vec<referentials::Entry> =
            serde_json::from_str(include_str!("../../relais-domain/data/v0-thematiques.json"))
                .expect("json");
        for e in v0 {
            assert!(
                map_v0_theme(&e.value).is_some(),
                "v0 theme without a decision: {}",
                e.value
            );
        }
        let v0: Vec<referentials::Entry> =
            serde_json::from_str(include_str!("../../relais-domain/data/v0-profils.json"))
                .expect("json");
        for e in v0 {
            assert!(
                map_v0_profil(&e.value).is_some(),
                "v0 profil without a decision: {}",
                e.value
            );
        }
    }

    #[test]
    fn legal_help_lands_on_v1_legal_themes() {
        let m = map_v0_theme("acces-aux-droits-et-citoyennete--accompagnement-juridique")
            .expect("mapped");
        assert_eq!(m, [DAJ_DROITS, DAJ_JUDICIAIRE]);
        assert_eq!(region_departements("11").map(<[_]>::len), Some(8));
    }
}
