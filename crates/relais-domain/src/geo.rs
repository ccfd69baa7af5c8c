//! Geography of the Métropole du Grand Paris (MGP): communes, Paris arrondissements, postcodes,
//! centres, and straight-line distances.
//!
//! The table is embedded from `data/mgp_communes.csv` (see `data/PROVENANCE.md`). It holds what
//! the data says and the code respects it: 130 communes since 1 January 2025 (Pierrefitte-sur-Seine
//! merged into Saint-Denis), and postcodes that name several communes or several départements.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// Why a place reference was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("code INSEE invalide « {0} » : 5 caractères attendus (ex. 75056, 2A004)")]
    InvalidInsee(String),
    #[error("code postal invalide « {0} » : 5 chiffres attendus (ex. 75018)")]
    InvalidPostcode(String),
    #[error("coordonnées invalides « {0} » : « latitude,longitude » attendu (ex. 48.8566,2.3522)")]
    InvalidPoint(String),
    #[error("latitude {0} hors de [-90, 90]")]
    LatitudeOutOfRange(f64),
    #[error("longitude {0} hors de [-180, 180]")]
    LongitudeOutOfRange(f64),
    #[error(
        "position ({lat}, {lon}) hors de la Métropole du Grand Paris (latitude 48,64 à 49,02, longitude 2,14 à 2,62)"
    )]
    OutsideMetropolis { lat: f64, lon: f64 },
}

/// The box around the Métropole du Grand Paris, in degrees (WGS 84): the extent of the 149
/// contours of `/work/shared/data/geo/contours/mgp_units.geojson` (IGN Admin Express COG 2018 and
/// Ville de Paris open data; latitude 48.64621–49.0124, longitude 2.14572–2.61557), widened by
/// about 500 m on each side for the simplification of those contours, rounded to 0.01°.
pub const METROPOLIS_BOUNDS: Bounds = Bounds {
    south: 48.64,
    north: 49.02,
    west: 2.14,
    east: 2.62,
};

/// A latitude/longitude box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub south: f64,
    pub north: f64,
    pub west: f64,
    pub east: f64,
}

impl Bounds {
    /// Whether `p` lies inside (edges included).
    pub fn contains(&self, p: &GeoPoint) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lon)
    }
}

/// An INSEE commune code (5 characters: digits, or 2A/2B for Corsica).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InseeCode(String);

impl InseeCode {
    /// Checks the shape of a code; it need not be in the MGP.
    pub fn parse(s: &str) -> Result<Self, GeoError> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let ok = b.len() == 5
            && b[0].is_ascii_digit()
            && (b[1].is_ascii_digit() || (b[0] == b'2' && (b[1] == b'A' || b[1] == b'B')))
            && b[2..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(t))
        } else {
            Err(GeoError::InvalidInsee(s.to_owned()))
        }
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The département: the first two characters (97x/98x overseas use three).
    pub fn departement(&self) -> &str {
        if self.0.starts_with("97") || self.0.starts_with("98") {
            &self.0[..3]
        } else {
            &self.0[..2]
        }
    }
}

impl TryFrom<String> for InseeCode {
    type Error = GeoError;
    fn try_from(s: String) -> Result<Self, GeoError> {
        Self::parse(&s)
    }
}
impl From<InseeCode> for String {
    fn from(c: InseeCode) -> String {
        c.0
    }
}
impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A French postcode (5 digits). A postcode is not a commune: it may cover several.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Checks the shape of a postcode.
    pub fn parse(s: &str) -> Result<Self, GeoError> {
        let t = s.trim();
        if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_owned()))
        } else {
            Err(GeoError::InvalidPostcode(s.to_owned()))
        }
    }
    /// The postcode as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Postcode {
    type Error = GeoError;
    fn try_from(s: String) -> Result<Self, GeoError> {
        Self::parse(&s)
    }
}
impl From<Postcode> for String {
    fn from(c: Postcode) -> String {
        c.0
    }
}
impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A WGS 84 point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Detour factor from straight line to walked path in a dense city.
pub const WALK_DETOUR: f64 = 1.3;
/// Walking speed, metres per minute (4.5 km/h).
pub const WALK_METRES_PER_MINUTE: f64 = 4500.0 / 60.0;

impl GeoPoint {
    /// A point from latitude and longitude in degrees, checked for range.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::LatitudeOutOfRange(lat));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::LongitudeOutOfRange(lon));
        }
        Ok(Self { lat, lon })
    }

    /// The position of a place of the directory: a valid point inside [`METROPOLIS_BOUNDS`]
    /// (Relais lists places of the metropolis; a point in Sydney is a typo or swapped values).
    pub fn in_metropolis(lat: f64, lon: f64) -> Result<Self, GeoError> {
        let p = Self::new(lat, lon)?;
        if METROPOLIS_BOUNDS.contains(&p) {
            Ok(p)
        } else {
            Err(GeoError::OutsideMetropolis { lat, lon })
        }
    }

    /// Parses `lat,lon` as typed in a URL (`48.8566,2.3522`).
    pub fn parse(s: &str) -> Result<Self, GeoError> {
        let bad = || GeoError::InvalidPoint(s.to_owned());
        let (a, b) = s.split_once(',').ok_or_else(bad)?;
        let lat: f64 = a.trim().parse().map_err(|_| bad())?;
        let lon: f64 = b.trim().parse().map_err(|_| bad())?;
        if !lat.is_finite() || !lon.is_finite() {
            return Err(bad());
        }
        Self::new(lat, lon)
    }

    /// Great-circle (haversine) distance in metres.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

/// Walking time for a straight-line distance: `ceil(distance × 1.3 / 75 m·min⁻¹)` — the straight
/// line lengthened by 30 % for streets, walked at 4.5 km/h. An estimate for ordering and for
/// "within a quarter of an hour", not an itinerary.
pub fn walk_minutes(distance_m: f64) -> u32 {
    (distance_m * WALK_DETOUR / WALK_METRES_PER_MINUTE)
        .ceil()
        .max(0.0) as u32
}

/// Whether a row is a commune or one of the 20 arrondissements of Paris.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneKind {
    Commune,
    ArrondissementMunicipal,
}

/// A commune or Paris arrondissement of the MGP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Commune {
    pub insee: InseeCode,
    pub name: String,
    pub kind: CommuneKind,
    /// For an arrondissement, Paris (75056).
    pub parent: Option<InseeCode>,
    pub departement: String,
    pub postcodes: Vec<Postcode>,
    pub population: u32,
    /// Member of the MGP today (false for a commune merged away).
    pub current: bool,
    /// Where a former commune went (Pierrefitte-sur-Seine → Saint-Denis on 1 January 2025).
    pub merged_into: Option<InseeCode>,
    pub centre: GeoPoint,
}

/// Communes merged into another since they were MGP members: (former, into). Arrêté préfectoral
/// of the Seine-Saint-Denis creating the commune nouvelle of Saint-Denis on 1 January 2025.
const MERGERS: &[(&str, &str)] = &[("93059", "93066")];

/// The embedded geography, loaded once.
#[derive(Debug)]
pub struct Geography {
    communes: Vec<Commune>,
    by_insee: HashMap<String, usize>,
    by_folded_name: HashMap<String, usize>,
    by_postcode: HashMap<String, Vec<usize>>,
}

static GEOGRAPHY: OnceLock<Geography> = OnceLock::new();
const CSV: &str = include_str!("../data/mgp_communes.csv");

/// The geography of the MGP (parsed from the embedded table on first use).
pub fn geography() -> &'static Geography {
    GEOGRAPHY.get_or_init(|| Geography::from_csv(CSV).expect("embedded mgp_communes.csv is valid"))
}

#[derive(Deserialize)]
struct Row {
    insee_code: String,
    name: String,
    kind: CommuneKind,
    parent_insee: String,
    departement: String,
    postcodes: String,
    population_municipale_2026pkg: u32,
    in_mgp_2026: String,
    lat: f64,
    lon: f64,
}

impl Geography {
    fn from_csv(csv_text: &str) -> Result<Self, String> {
        let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
        let mut communes = Vec::new();
        for row in rdr.deserialize::<Row>() {
            let r = row.map_err(|e| e.to_string())?;
            let insee = InseeCode::parse(&r.insee_code).map_err(|e| e.to_string())?;
            let merged_into = MERGERS
                .iter()
                .find(|(from, _)| *from == insee.as_str())
                .map(|(_, to)| InseeCode((*to).to_owned()));
            communes.push(Commune {
                parent: (!r.parent_insee.is_empty())
                    .then(|| InseeCode::parse(&r.parent_insee))
                    .transpose()
                    .map_err(|e| e.to_string())?,
                postcodes: r
                    .postcodes
                    .split(';')
                    .map(Postcode::parse)
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())?,
                current: r.in_mgp_2026 == "True",
                merged_into,
                centre: GeoPoint::new(r.lat, r.lon).map_err(|e| e.to_string())?,
                name: r.name,
                kind: r.kind,
                departement: r.departement,
                population: r.population_municipale_2026pkg,
                insee,
            });
        }
        let mut g = Self {
            by_insee: HashMap::new(),
            by_folded_name: HashMap::new(),
            by_postcode: HashMap::new(),
            communes,
        };
        for (i, c) in g.communes.iter().enumerate() {
            g.by_insee.insert(c.insee.0.clone(), i);
            // A former commune keeps its name and postcodes for "where": people still live
            // in Pierrefitte-sur-Seine, and its centre is where they are.
            g.by_folded_name.insert(name_key(&c.name), i);
            for p in &c.postcodes {
                g.by_postcode.entry(p.0.clone()).or_default().push(i);
            }
        }
        // Aliases people type for arrondissements: "Paris 18", "Paris 18e", "75018".
        for (i, c) in g.communes.iter().enumerate() {
            if c.kind == CommuneKind::ArrondissementMunicipal {
                let n: u32 = c.insee.0[3..].parse().unwrap_or(0);
                for alias in [
                    format!("paris {n}"),
                    format!("paris {n}e"),
                    format!("paris {n}eme"),
                ] {
                    g.by_folded_name.insert(name_key(&alias), i);
                }
                if n == 1 {
                    g.by_folded_name.insert(name_key("paris 1er"), i);
                }
            }
        }
        Ok(g)
    }

    /// Every row: current and former communes, and the arrondissements.
    pub fn all(&self) -> &[Commune] {
        &self.communes
    }

    /// The communes that are MGP members today (130), without arrondissements.
    pub fn current_communes(&self) -> impl Iterator<Item = &Commune> {
        self.communes
            .iter()
            .filter(|c| c.current && c.kind == CommuneKind::Commune)
    }

    /// A commune or arrondissement by INSEE code; a former commune resolves to the one it merged
    /// into.
    pub fn by_insee(&self, code: &InseeCode) -> Option<&Commune> {
        let c = &self.communes[*self.by_insee.get(code.as_str())?];
        match &c.merged_into {
            Some(into) => self.by_insee(into),
            None => Some(c),
        }
    }

    /// A current commune or arrondissement by name, ignoring case, accents, hyphens and a
    /// leading article difference ("Saint-Ouen-sur-Seine", "saint ouen sur seine").
    pub fn by_name(&self, name: &str) -> Option<&Commune> {
        self.by_folded_name
            .get(&name_key(name))
            .map(|&i| &self.communes[i])
    }

    /// The communes (arrondissements for Paris) a postcode serves; possibly several. A postcode
    /// that a merged commune brought to its new commune (93380: Pierrefitte-sur-Seine, now in
    /// Saint-Denis) names the former commune, the precise area.
    pub fn by_postcode(&self, postcode: &Postcode) -> Vec<&Commune> {
        let Some(ids) = self.by_postcode.get(postcode.as_str()) else {
            return Vec::new();
        };
        let rows: Vec<&Commune> = ids.iter().map(|&i| &self.communes[i]).collect();
        let former: Vec<&Commune> = rows.iter().copied().filter(|c| !c.current).collect();
        if !former.is_empty() {
            return former;
        }
        let all: Vec<&Commune> = rows;
        // Paris as a whole lists every Paris postcode; its arrondissements are the precise answer.
        let arr: Vec<&Commune> = all
            .iter()
            .copied()
            .filter(|c| c.kind == CommuneKind::ArrondissementMunicipal)
            .collect();
        if arr.is_empty() { all } else { arr }
    }

    /// The place a person at `p` is in, for "near me" without keeping the position: the
    /// arrondissement or current commune whose centre is nearest (Paris as a whole is not a
    /// candidate: its arrondissements are finer), if one is within `max_m` metres.
    pub fn nearest(&self, p: &GeoPoint, max_m: f64) -> Option<&Commune> {
        self.communes
            .iter()
            .filter(|c| c.current)
            .filter(|c| {
                c.kind == CommuneKind::ArrondissementMunicipal || c.insee.as_str() != "75056"
            })
            .map(|c| (c, c.centre.distance_m(p)))
            .filter(|(_, d)| *d <= max_m)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    }

    /// Resolves what a person typed for "where": an INSEE code, a postcode, or a name. The
    /// answer is the matching communes (several for some postcodes).
    pub fn resolve(&self, input: &str) -> Vec<&Commune> {
        let t = input.trim();
        if t.len() == 5 && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // The row itself, not the commune it merged into: its centre is the place meant.
            if let Some(&i) = InseeCode::parse(t)
                .ok()
                .and_then(|code| self.by_insee.get(code.as_str()))
            {
                return vec![&self.communes[i]];
            }
            if let Ok(pc) = Postcode::parse(t) {
                return self.by_postcode(&pc);
            }
        }
        self.by_name(t).into_iter().collect()
    }
}

/// The centre of several communes: the mean of their centres (good enough within the MGP).
pub fn centre_of(communes: &[&Commune]) -> Option<GeoPoint> {
    if communes.is_empty() {
        return None;
    }
    let n = communes.len() as f64;
    let lat = communes.iter().map(|c| c.centre.lat).sum::<f64>() / n;
    let lon = communes.iter().map(|c| c.centre.lon).sum::<f64>() / n;
    Some(GeoPoint { lat, lon })
}

fn name_key(s: &str) -> String {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod nearest_tests {
    use super::*;

    #[test]
    fn nearest_place_is_the_arrondissement_or_commune_around() {
        let g = geography();
        // Place de la République is between the 3rd, 10th and 11th; Basilique de Saint-Denis.
        let at = |lat, lon| g.nearest(&GeoPoint::new(lat, lon).expect("point"), 10_000.0);
        let montmartre = at(48.8867, 2.3431).expect("in Paris");
        assert_eq!(montmartre.name, "Paris 18e Arrondissement");
        let basilique = at(48.9356, 2.3597).expect("in Saint-Denis");
        assert_eq!(basilique.name, "Saint-Denis");
        // Far away (Lyon): no place of the metropolis.
        assert!(at(45.76, 4.84).is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> InseeCode {
        InseeCode::parse(s).expect("valid")
    }

    #[test]
    fn the_mgp_has_130_communes_since_2025() {
        assert_eq!(geography().current_communes().count(), 130);
        assert_eq!(geography().all().len(), 151);
    }

    #[test]
    fn pierrefitte_belongs_to_saint_denis_but_is_still_a_place() {
        // Administratively, 93059 is Saint-Denis since 1 January 2025.
        let c = geography().by_insee(&code("93059")).expect("known");
        assert_eq!(c.insee.as_str(), "93066");
        // For "where", the former commune keeps its own name, postcode and centre.
        let g = geography();
        let by_name = g.resolve("Pierrefitte-sur-Seine");
        assert_eq!(by_name.len(), 1);
        assert_eq!(by_name[0].insee.as_str(), "93059");
        assert_eq!(g.resolve("93059")[0].insee.as_str(), "93059");
        let by_pc = g.by_postcode(&Postcode::parse("93380").expect("ok"));
        assert_eq!(by_pc.len(), 1);
        assert_eq!(by_pc[0].name, "Pierrefitte-sur-Seine");
        assert_eq!(
            by_pc[0].merged_into.as_ref().map(InseeCode::as_str),
            Some("93066")
        );
        // Saint-Denis's own postcodes still lead to Saint-Denis.
        assert_eq!(g.resolve("93200")[0].name, "Saint-Denis");
    }

    #[test]
    fn postcodes_spanning_communes_and_paris_arrondissements() {
        let g = geography();
        assert_eq!(
            g.by_postcode(&Postcode::parse("94440").expect("ok")).len(),
            3
        );
        let p16 = g.by_postcode(&Postcode::parse("75116").expect("ok"));
        assert_eq!(p16.len(), 1);
        assert_eq!(p16[0].insee.as_str(), "75116");
        assert_eq!(
            g.by_postcode(&Postcode::parse("75016").expect("ok"))[0]
                .insee
                .as_str(),
            "75116"
        );
        let p18 = g.resolve("75018");
        assert_eq!(p18[0].insee.as_str(), "75118");
    }

    #[test]
    fn names_resolve_without_accents_or_hyphens() {
        let g = geography();
        assert_eq!(g.resolve("l'hay les roses")[0].insee.as_str(), "94038");
        assert_eq!(g.resolve("Paris 18e")[0].insee.as_str(), "75118");
        assert_eq!(g.resolve("PARIS")[0].insee.as_str(), "75056");
        assert_eq!(g.resolve("93066")[0].name, "Saint-Denis");
        assert!(g.resolve("Lyon").is_empty());
    }

    #[test]
    fn codes_are_checked() {
        assert!(InseeCode::parse("2A004").is_ok());
        assert!(InseeCode::parse("7505").is_err());
        assert!(Postcode::parse("75O18").is_err());
        assert_eq!(code("97411").departement(), "974");
        assert_eq!(code("57463").departement(), "57");
    }

    #[test]
    fn places_of_the_directory_lie_in_the_metropolis() {
        // Every centre of a current unit is inside the box.
        for c in geography().all().iter().filter(|c| c.current) {
            assert!(METROPOLIS_BOUNDS.contains(&c.centre), "{}", c.name);
        }
        assert!(GeoPoint::in_metropolis(48.8566, 2.3522).is_ok());
        // Sydney, swapped coordinates, Lyon, Évry (outside the MGP, south of its box).
        for (lat, lon) in [
            (-33.8688, 151.2093),
            (2.3522, 48.8566),
            (45.76, 4.84),
            (48.6287, 2.4241),
        ] {
            assert_eq!(
                GeoPoint::in_metropolis(lat, lon),
                Err(GeoError::OutsideMetropolis { lat, lon })
            );
        }
        assert!(matches!(
            GeoPoint::in_metropolis(123.0, 2.35),
            Err(GeoError::LatitudeOutOfRange(_))
        ));
    }

    #[test]
    fn walking_time_formula() {
        // 1 km straight line = 1.3 km walked at 75 m/min = 17.33 → 18 minutes.
        assert_eq!(walk_minutes(1000.0), 18);
        assert_eq!(walk_minutes(0.0), 0);
        let notre_dame = GeoPoint::new(48.8530, 2.3499).expect("ok");
        let hotel_de_ville = GeoPoint::new(48.8566, 2.3522).expect("ok");
        let d = notre_dame.distance_m(&hotel_de_ville);
        assert!((420.0..450.0).contains(&d), "{d}");
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_non_negative(a in -89.0f64..89.0, b in -179.0f64..179.0, c in -89.0f64..89.0, d in -179.0f64..179.0) {
            let p = GeoPoint::new(a, b).expect("in range");
            let q = GeoPoint::new(c, d).expect("in range");
            let (x, y) = (p.distance_m(&q), q.distance_m(&p));
            prop_assert!(x >= 0.0);
            prop_assert!((x - y).abs() < 1e-6);
            prop_assert!(p.distance_m(&p) < 1e-6);
        }

        #[test]
        fn point_parse_never_panics(s in "\\PC{0,30}") {
            let _ = GeoPoint::parse(&s);
        }
    }
}
