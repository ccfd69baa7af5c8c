//! A fictitious but realistic dataset for demonstrations, load tests and development: structures
//! and services spread over the 130 communes of the Métropole du Grand Paris in proportion to
//! their population (Paris by arrondissement). Every record says it is fictitious.

use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use relais_domain::geo::{Commune, CommuneKind, geography};
use relais_domain::{
    Closure, GeoPoint, Location, Service, ServiceHours, ServiceId, Structure, StructureId,
    text::Name,
};

/// The data·inclusion `source` of every demo record.
pub const DEMO_SOURCE: &str = "relais-demo";
/// How every demo description begins, so nobody mistakes a demo record for a real one.
pub const DEMO_PREFIX: &str = "Données fictives de démonstration — ";

use crate::mapping::{
    DAJ_CITOYENNETE, DAJ_DEMARCHES, DAJ_DISCRIMINATION, DAJ_DROITS, DAJ_JUDICIAIRE,
};

/// A kind of service: its name, weight (relative frequency), themes, type, typical publics.
struct Offer {
    name: &'static str,
    weight: u32,
    themes: &'static [&'static str],
    kind: &'static str,
    publics: &'static [&'static str],
    what: &'static str,
}

const OFFERS: &[Offer] = &[
    Offer {
        name: "Permanence d'accès au droit",
        weight: 14,
        themes: &[DAJ_DROITS, DAJ_JUDICIAIRE],
        kind: "information",
        publics: &["tous-publics"],
        what: "information juridique gratuite et confidentielle sur vos droits et démarches",
    },
    Offer {
        name: "Point-justice",
        weight: 10,
        themes: &[DAJ_DROITS, DAJ_JUDICIAIRE, DAJ_DEMARCHES],
        kind: "information",
        publics: &["tous-publics"],
        what: "accueil, information et orientation sur vos droits et obligations",
    },
    Offer {
        name: "Consultation gratuite d'avocat",
        weight: 10,
        themes: &[DAJ_JUDICIAIRE, DAJ_DROITS],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "consultation juridique gratuite avec un avocat du barreau, sur rendez-vous",
    },
    Offer {
        name: "Écrivain public",
        weight: 6,
        themes: &[
            DAJ_DEMARCHES,
            "lecture-ecriture-calcul--maitriser-le-francais",
        ],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "aide à la rédaction de courriers et de dossiers administratifs",
    },
    Offer {
        name: "Domiciliation",
        weight: 5,
        themes: &[
            DAJ_DEMARCHES,
            "logement-hebergement--rechercher-une-solution-dhebergement-temporaire",
        ],
        kind: "accompagnement",
        publics: &["personnes-en-situation-durgence"],
        what: "adresse postale pour recevoir son courrier et faire valoir ses droits",
    },
    Offer {
        name: "Accès aux droits CAF/CPAM",
        weight: 7,
        themes: &[DAJ_DROITS, "sante--acces-aux-soins"],
        kind: "accompagnement",
        publics: &["beneficiaires-des-minimas-sociaux", "familles"],
        what: "aide à l'ouverture et au maintien des droits (prestations, complémentaire santé solidaire)",
    },
    Offer {
        name: "Défenseur des droits — délégué",
        weight: 4,
        themes: &[DAJ_DISCRIMINATION, DAJ_DROITS],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "réclamations contre un service public, discriminations, droits de l'enfant",
    },
    Offer {
        name: "Conciliateur de justice",
        weight: 4,
        themes: &[DAJ_JUDICIAIRE],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "règlement amiable des litiges du quotidien (voisinage, consommation, bail)",
    },
    Offer {
        name: "Aide aux victimes",
        weight: 3,
        themes: &[
            DAJ_JUDICIAIRE,
            "famille--surmonter-conflits-separation-violence",
        ],
        kind: "accompagnement",
        publics: &["femmes", "personnes-en-situation-durgence"],
        what: "écoute, information sur la procédure et accompagnement des victimes",
    },
    Offer {
        name: "Permanence droit des étrangers",
        weight: 5,
        themes: &[DAJ_CITOYENNETE, DAJ_DEMARCHES],
        kind: "accompagnement",
        publics: &["personnes-exilees"],
        what: "titres de séjour, asile, naturalisation : information et aide aux démarches",
    },
    Offer {
        name: "Prévention des expulsions locatives",
        weight: 4,
        themes: &[
            "logement-hebergement--se-maintenir-dans-le-logement",
            "logement-hebergement--reduire-les-impayes-de-loyer",
            DAJ_DROITS,
        ],
        kind: "accompagnement",
        publics: &["familles", "tous-publics"],
        what: "impayés de loyer, procédure d'expulsion, recours DALO",
    },
    Offer {
        name: "Point conseil budget",
        weight: 3,
        themes: &[
            "difficultes-financieres--situation-dendettement-surendettement",
            "difficultes-financieres--ameliorer-sa-gestion-budgetaire",
        ],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "conseils budgétaires, dossier de surendettement",
    },
    Offer {
        name: "Aide alimentaire",
        weight: 6,
        themes: &["equipement-et-alimentation--alimentation"],
        kind: "aide-materielle",
        publics: &["personnes-en-situation-durgence", "familles"],
        what: "colis et épicerie solidaire, sur orientation ou inscription",
    },
    Offer {
        name: "Bagagerie",
        weight: 2,
        themes: &["equipement-et-alimentation--habillement"],
        kind: "aide-materielle",
        publics: &["personnes-en-situation-durgence"],
        what: "consigne gratuite pour mettre ses affaires à l'abri",
    },
    Offer {
        name: "Douches",
        weight: 2,
        themes: &[
            "equipement-et-alimentation--habillement",
            "sante--acces-aux-soins",
        ],
        kind: "aide-materielle",
        publics: &["personnes-en-situation-durgence"],
        what: "douches et produits d'hygiène, sans condition",
    },
    Offer {
        name: "Vestiaire solidaire",
        weight: 2,
        themes: &["equipement-et-alimentation--habillement"],
        kind: "aide-materielle",
        publics: &["tous-publics"],
        what: "vêtements donnés ou à petit prix",
    },
    Offer {
        name: "Point d'accès numérique",
        weight: 6,
        themes: &[
            "numerique--acceder-a-des-services-en-ligne",
            "numerique--acceder-a-une-connexion-internet",
            DAJ_DEMARCHES,
        ],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "ordinateurs en libre accès et aide aux démarches en ligne",
    },
    Offer {
        name: "Atelier numérique",
        weight: 2,
        themes: &["numerique--maitriser-les-fondamentaux-du-numerique"],
        kind: "atelier",
        publics: &["seniors", "tous-publics"],
        what: "apprendre à utiliser un smartphone, une messagerie, les sites publics",
    },
    Offer {
        name: "Permanence santé — accès aux soins",
        weight: 3,
        themes: &["sante--acces-aux-soins"],
        kind: "accompagnement",
        publics: &["personnes-en-situation-durgence", "personnes-exilees"],
        what: "orientation vers les soins, ouverture de droits santé",
    },
    Offer {
        name: "Soutien psychologique",
        weight: 2,
        themes: &["sante--sante-mentale"],
        kind: "accompagnement",
        publics: &["tous-publics"],
        what: "écoute et soutien par des psychologues bénévoles",
    },
    Offer {
        name: "Cours de français",
        weight: 3,
        themes: &["lecture-ecriture-calcul--maitriser-le-francais"],
        kind: "formation",
        publics: &["personnes-exilees"],
        what: "ateliers sociolinguistiques, tous niveaux",
    },
    Offer {
        name: "Hébergement d'urgence — orientation",
        weight: 2,
        themes: &["logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
        kind: "information",
        publics: &["personnes-en-situation-durgence"],
        what: "évaluation de la situation et orientation vers le 115 et le SIAO",
    },
    Offer {
        name: "Médiation familiale",
        weight: 2,
        themes: &["famille--surmonter-conflits-separation-violence"],
        kind: "accompagnement",
        publics: &["familles"],
        what: "séparation, droit de visite, dialogue entre générations",
    },
];

const ORGS: &[&str] = &[
    "Association Droits et Solidarités",
    "Maison de la justice et du droit",
    "Centre communal d'action sociale",
    "Espace solidarité insertion",
    "Collectif Entraide",
    "Association Accueil et Partage",
    "Maison des solidarités",
    "Point d'accès au droit",
    "Relais Familles",
    "Association Parcours d'exil",
    "Épicerie solidaire La Passerelle",
    "Centre social Les Tilleuls",
    "France services",
    "Association Le Fil d'Ariane",
    "Boutique solidarité",
    "Association Femmes Relais",
    "Maison des droits de l'enfant",
    "Association Entre Voisins",
];

const STREETS: &[&str] = &[
    "rue de la République",
    "avenue Jean-Jaurès",
    "rue Victor-Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "place de la Mairie",
    "rue Jules-Ferry",
    "avenue du Général-de-Gaulle",
    "rue de Paris",
    "rue Voltaire",
    "allée des Tilleuls",
    "rue Louise-Michel",
    "rue Émile-Zola",
    "avenue de la Liberté",
    "rue des Écoles",
];

/// Valid OSM `opening_hours` of varied shapes, with their relative frequency.
pub(crate) const HOURS: &[(&str, u32)] = &[
    ("Mo-Fr 09:00-12:00,14:00-17:00; PH off", 22),
    ("Tu,Th 14:00-17:00; PH off", 10),
    ("We 14:00-17:00 \"sur rendez-vous uniquement\"", 6),
    ("Mo-Sa 08:30-12:30; Su off; PH off", 7),
    ("Sa[1] 10:00-12:00", 3),
    ("Mo-Fr 09:00-17:00; Aug off; PH off", 8),
    ("24/7", 2),
    ("Mo,We,Fr 09:30-12:30; PH off", 8),
    ("Mo-Th 09:00-12:30,13:30-17:30; Fr 09:00-12:30; PH off", 8),
    ("Tu 09:00-12:00; Th 14:00-18:00; PH off", 6),
    ("Mo-Fr 08:00-11:00; Sa 08:00-10:00", 4),
    ("We[1,3] 14:00-17:00; PH off", 3),
    ("Mo-Fr 10:00-18:00; Sa 10:00-13:00; PH off", 5),
];

/// Languages besides French, with the share of services that speak them (per cent).
const LANGUAGES: &[(&str, u32)] = &[
    ("en", 38),
    ("ar", 22),
    ("es", 10),
    ("pt", 6),
    ("ro", 5),
    ("zh", 5),
    ("uk", 5),
    ("tr", 4),
    ("ru", 4),
    ("fa", 3),
    ("ps", 2),
    ("ta", 2),
    ("bm", 2),
    ("wo", 2),
];

/// The hours pool, parsed once.
fn hours_pool() -> &'static [(ServiceHours, u32)] {
    static POOL: OnceLock<Vec<(ServiceHours, u32)>> = OnceLock::new();
    POOL.get_or_init(|| {
        HOURS
            .iter()
            .map(|(s, w)| (ServiceHours::from_source(Some(s)), *w))
            .collect()
    })
}

/// Where services go: every current commune of the MGP, Paris replaced by its arrondissements,
/// weighted by population.
fn places() -> &'static (Vec<&'static Commune>, Vec<u64>) {
    static PLACES: OnceLock<(Vec<&'static Commune>, Vec<u64>)> = OnceLock::new();
    PLACES.get_or_init(|| {
        let g = geography();
        let paris = |c: &Commune| c.insee.as_str() == "75056";
        let mut places: Vec<&Commune> = g.current_communes().filter(|c| !paris(c)).collect();
        places.extend(g.all().iter().filter(|c| {
            c.kind == CommuneKind::ArrondissementMunicipal
                && c.parent.as_ref().is_some_and(|p| p.as_str() == "75056")
        }));
        let mut cumulative = Vec::with_capacity(places.len());
        let mut total = 0u64;
        for c in &places {
            total += u64::from(c.population.max(1));
            cumulative.push(total);
        }
        (places, cumulative)
    })
}

fn pick_weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut x = rng.random_range(0..total);
    for it in items {
        let w = weight(it);
        if x < w {
            return it;
        }
        x -= w;
    }
    &items[items.len() - 1]
}

fn pick_place(rng: &mut ChaCha8Rng) -> &'static Commune {
    let (places, cumulative) = places();
    let total = *cumulative.last().expect("the MGP has communes");
    let x = rng.random_range(0..total);
    let i = cumulative.partition_point(|&c| c <= x);
    places[i]
}

/// A point within about 1 km of `centre` (uniform over the disc).
fn jitter(rng: &mut ChaCha8Rng, centre: GeoPoint) -> GeoPoint {
    let r = 1000.0 * rng.random::<f64>().sqrt();
    let theta = rng.random::<f64>() * std::f64::consts::TAU;
    let lat = centre.lat + r * theta.cos() / 111_320.0;
    let lon = centre.lon + r * theta.sin() / (111_320.0 * centre.lat.to_radians().cos());
    let round = |x: f64| (x * 1e6).round() / 1e6;
    GeoPoint::new(round(lat), round(lon)).unwrap_or(centre)
}

/// Display name of the commune for an address (`Paris` for an arrondissement).
fn commune_name(c: &Commune) -> String {
    if c.kind == CommuneKind::ArrondissementMunicipal {
        "Paris".to_owned()
    } else {
        c.name.clone()
    }
}

/// `services` fictitious services (about 3 per structure), deterministic for `seed`, dated
/// relative to today.
pub fn demo_dataset(services: usize, seed: u64) -> (Vec<Structure>, Vec<Service>) {
    demo_dataset_on(services, seed, Utc::now().date_naive(), &mut |_| {})
}

/// [`demo_dataset`], calling `progress` with the number of services generated so far (every
/// 1,000 services and at the end).
pub fn demo_dataset_with_progress(
    services: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize),
) -> (Vec<Structure>, Vec<Service>) {
    demo_dataset_on(services, seed, Utc::now().date_naive(), progress)
}

/// The generator itself, dated relative to `today`: same `(services, seed, today)`, same output.
pub fn demo_dataset_on(
    services: usize,
    seed: u64,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> (Vec<Structure>, Vec<Service>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut structures = Vec::with_capacity(services / 3 + 1);
    let mut out = Vec::with_capacity(services);
    let today_start = Utc.from_utc_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight"));
    // End-of-year closure: the coming 24 December to 2 January.
    let eoy_year = if today <= NaiveDate::from_ymd_opt(today.year(), 12, 24).expect("date") {
        today.year()
    } else {
        today.year() + 1
    };
    // Summer closure: the coming August (this year's if August is not over).
    let summer_year = if today.month() <= 8 {
        today.year()
    } else {
        today.year() + 1
    };

    while out.len() < services {
        let si = structures.len();
        let commune = pick_place(&mut rng);
        let org = ORGS[rng.random_range(0..ORGS.len())];
        let town = commune_name(commune);
        let place_name = if commune.kind == CommuneKind::ArrondissementMunicipal {
            commune.name.replace(" Arrondissement", "")
        } else {
            town.clone()
        };
        let location = Location {
            address: Some(format!(
                "{} {}",
                rng.random_range(1..=180),
                STREETS[rng.random_range(0..STREETS.len())]
            )),
            address_complement: None,
            postcode: Some(commune.postcodes[rng.random_range(0..commune.postcodes.len())].clone()),
            commune: Some(town.clone()),
            insee: Some(commune.insee.clone()),
            point: Some(jitter(&mut rng, commune.centre)),
        };
        let structure_updated = today - Duration::days(rng.random_range(0..548));
        let source_id = format!("s{si:06}");
        let structure = Structure {
            id: StructureId::derive(DEMO_SOURCE, &source_id),
            source: DEMO_SOURCE.to_owned(),
            source_id: source_id.clone(),
            name: Name::parse(&format!("{org} — {place_name}")).expect("demo names are short"),
            siret: None,
            description: Some(format!(
                "{DEMO_PREFIX}structure inventée pour essayer Relais ; elle n'existe pas."
            )),
            location: location.clone(),
            phone: Some(format!(
                "01 99 00 {:02} {:02}",
                rng.random_range(0..100),
                rng.random_range(0..100)
            )),
            email: Some(format!("contact-{si}@example.org")),
            website: Some(format!("https://example.org/structures/{source_id}")),
            source_link: None,
            accessibility_link: None,
            hours_text: Some("Mo-Fr 09:00-17:00; PH off".to_owned()),
            networks: Vec::new(),
            updated_on: structure_updated,
        };
        // 1 to 5 services, 3 on average.
        let n = [1, 2, 2, 3, 3, 3, 4, 4, 5][rng.random_range(0..9)];
        for _ in 0..n {
            if out.len() >= services {
                break;
            }
            let i = out.len();
            let offer = pick_weighted(&mut rng, OFFERS, |o| o.weight);
            let mut themes: Vec<String> = offer.themes.iter().map(|t| (*t).to_owned()).collect();
            if rng.random_bool(0.15) && !themes.iter().any(|t| t == DAJ_DROITS) {
                themes.push(DAJ_DROITS.to_owned());
            }
            let mut publics: Vec<String> = offer.publics.iter().map(|p| (*p).to_owned()).collect();
            for (p, share) in [
                ("jeunes", 0.08),
                ("seniors", 0.06),
                ("femmes", 0.06),
                ("personnes-en-situation-de-handicap", 0.05),
            ] {
                if rng.random_bool(share)
                    && !publics.iter().any(|x| x == p)
                    && !publics.iter().any(|x| x == "tous-publics")
                {
                    publics.push(p.to_owned());
                }
            }
            let mut languages = vec!["fr".to_owned()];
            for (l, pct) in LANGUAGES {
                if rng.random_range(0..100) < *pct {
                    languages.push((*l).to_owned());
                }
            }
            let paid = rng.random_bool(0.04);
            let reception_modes = match rng.random_range(0..20) {
                0 => vec!["a-distance".to_owned()],
                1..=7 => vec!["en-presentiel".to_owned(), "a-distance".to_owned()],
                _ => vec!["en-presentiel".to_owned()],
            };
            let mut mobilisation_modes = vec!["se-presenter".to_owned(), "telephoner".to_owned()];
            if rng.random_bool(0.5) {
                mobilisation_modes.push("envoyer-un-courriel".to_owned());
            }
            let hours = pick_weighted(&mut rng, hours_pool(), |(_, w)| *w).0.clone();
            let mut closures = Vec::new();
            if rng.random_bool(0.4) {
                closures.push(
                    Closure::new(
                        NaiveDate::from_ymd_opt(eoy_year, 12, 24).expect("date"),
                        NaiveDate::from_ymd_opt(eoy_year + 1, 1, 2).expect("date"),
                        "Fermeture de fin d'année",
                    )
                    .expect("valid closure"),
                );
            }
            if rng.random_bool(0.2) {
                let start = rng.random_range(1..=10);
                let from = NaiveDate::from_ymd_opt(summer_year, 8, start).expect("date");
                closures.push(
                    Closure::new(
                        from,
                        from + Duration::days(rng.random_range(13..=20)),
                        "Fermeture estivale",
                    )
                    .expect("valid closure"),
                );
            }
            let updated_on = today - Duration::days(rng.random_range(0..548));
            let verified_at: Option<DateTime<Utc>> = rng.random_bool(0.7).then(|| {
                let span = (today - updated_on).num_seconds().max(1);
                today_start - Duration::seconds(rng.random_range(0..span))
            });
            let sid = format!("sv{i:06}");
            out.push(Service {
                id: ServiceId::derive(DEMO_SOURCE, &sid),
                structure_id: structure.id,
                source: DEMO_SOURCE.to_owned(),
                source_id: sid,
                name: Name::parse(&format!("{} — {place_name}", offer.name)).expect("demo names are short"),
                description: format!("{DEMO_PREFIX}{} ({org}).", offer.what),
                kind: Some(offer.kind.to_owned()),
                themes,
                publics,
                publics_details: None,
                fee: Some(if paid { "payant" } else { "gratuit" }.to_owned()),
                fee_details: paid.then(|| "Adhésion annuelle de 5 €, gratuite pour les bénéficiaires de minima sociaux".to_owned()),
                reception_modes,
                mobilisation_modes,
                mobilisable_by: vec!["usagers".to_owned(), "professionnels".to_owned()],
                mobilisation_details: None,
                mobilisation_link: None,
                access_conditions: None,
                location: Location { point: Some(jitter(&mut rng, commune.centre)), ..location.clone() },
                phone: structure.phone.clone(),
                email: structure.email.clone(),
                contact_name: None,
                hours,
                closures,
                languages,
                wheelchair_accessible: match rng.random_range(0..20) {
                    0..=10 => Some(true),
                    11..=15 => Some(false),
                    _ => None,
                },
                eligibility_zone: vec![commune.departement.clone()],
                source_link: None,
                updated_on,
                verified_at,
            });
            if out.len() % 1000 == 0 {
                progress(out.len());
            }
        }
        structures.push(structure);
    }
    progress(out.len());
    (structures, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_domain::OpeningHours;

    #[test]
    fn every_demo_hours_string_is_a_valid_expression() {
        for (s, _) in HOURS {
            assert!(OpeningHours::parse(s).is_ok(), "{s}");
        }
        assert!(
            hours_pool()
                .iter()
                .all(|(h, _)| matches!(h, ServiceHours::Osm(_)))
        );
    }

    #[test]
    fn places_cover_the_mgp_without_double_counting_paris() {
        let (places, _) = places();
        // 129 communes besides Paris, and Paris's 20 arrondissements.
        assert_eq!(places.len(), 129 + 20);
        assert!(places.iter().all(|c| c.insee.as_str() != "75056"));
    }
}
