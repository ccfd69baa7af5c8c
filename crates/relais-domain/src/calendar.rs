//! The French legal calendar: public holidays by zone.
//!
//! Code du travail art. L3133-1 lists the eleven national public holidays (« fêtes légales »);
//! art. L3134-13 adds Good Friday and 26 December in the départements of Moselle, Bas-Rhin and
//! Haut-Rhin (Alsace-Moselle). Three of them move with Easter, computed here by the Gregorian
//! computus.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::geo::InseeCode;

/// Which set of public holidays applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayZone {
    /// The 11 national public holidays (Code du travail art. L3133-1).
    Metropole,
    /// Départements 57, 67, 68: the national days plus Good Friday and 26 December
    /// (Code du travail art. L3134-13).
    AlsaceMoselle,
}

impl HolidayZone {
    /// The zone of a commune, from its département (57, 67, 68 keep the local law of
    /// Alsace-Moselle, Code du travail art. L3134-13).
    pub fn for_insee(code: &InseeCode) -> Self {
        match code.departement() {
            "57" | "67" | "68" => Self::AlsaceMoselle,
            _ => Self::Metropole,
        }
    }
}

/// A public holiday with its French name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// Easter Sunday of `year` in the Gregorian calendar (anonymous computus, Meeus/Jones/Butcher).
/// Lundi de Pâques, Ascension and Lundi de Pentecôte are counted from it.
///
/// `year` must be within chrono's range; any year from 1583 on is meaningful.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day in 1..=31 by construction of the computus.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
        .expect("the computus yields a date in March or April")
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date.checked_add_days(Days::new(days as u64))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .expect("Easter-relative holiday within chrono's range")
}

/// The public holidays of `year` in `zone`, in date order: the eleven days of Code du travail
/// art. L3133-1, plus « Vendredi saint » and « Saint-Étienne » in Alsace-Moselle
/// (art. L3134-13).
pub fn public_holidays(year: i32, zone: HolidayZone) -> Vec<Holiday> {
    let fixed = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).expect("fixed holidays exist every year")
    };
    let easter = easter_sunday(year);
    let mut days = vec![
        Holiday {
            date: fixed(1, 1),
            name: "Jour de l'an",
        },
        Holiday {
            date: shift(easter, 1),
            name: "Lundi de Pâques",
        },
        Holiday {
            date: fixed(5, 1),
            name: "Fête du Travail",
        },
        Holiday {
            date: fixed(5, 8),
            name: "Victoire 1945",
        },
        Holiday {
            date: shift(easter, 39),
            name: "Ascension",
        },
        Holiday {
            date: shift(easter, 50),
            name: "Lundi de Pentecôte",
        },
        Holiday {
            date: fixed(7, 14),
            name: "Fête nationale",
        },
        Holiday {
            date: fixed(8, 15),
            name: "Assomption",
        },
        Holiday {
            date: fixed(11, 1),
            name: "Toussaint",
        },
        Holiday {
            date: fixed(11, 11),
            name: "Armistice 1918",
        },
        Holiday {
            date: fixed(12, 25),
            name: "Noël",
        },
    ];
    if zone == HolidayZone::AlsaceMoselle {
        days.push(Holiday {
            date: shift(easter, -2),
            name: "Vendredi saint",
        });
        days.push(Holiday {
            date: fixed(12, 26),
            name: "Saint-Étienne",
        });
    }
    // Ascension may fall on 1 or 8 May (e.g. 2008: 1 May); both names are kept, one per entry,
    // but a date appears once: the first name listed by the Code wins.
    days.sort_by_key(|h| h.date);
    days.dedup_by_key(|h| h.date);
    days
}

/// The name of the public holiday on `date` in `zone`, if it is one.
pub fn holiday_name(date: NaiveDate, zone: HolidayZone) -> Option<&'static str> {
    public_holidays(date.year(), zone)
        .into_iter()
        .find(|h| h.date == date)
        .map(|h| h.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn known_easter_dates() {
        for (y, m, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
            (2008, 3, 23),
            (2011, 4, 24),
            (1818, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), d(y, m, day), "Easter {y}");
        }
    }

    #[test]
    fn eleven_national_days_thirteen_in_alsace_moselle() {
        for year in [2024, 2025, 2026, 2027] {
            assert_eq!(public_holidays(year, HolidayZone::Metropole).len(), 11);
            assert_eq!(public_holidays(year, HolidayZone::AlsaceMoselle).len(), 13);
        }
    }

    #[test]
    fn names_of_2026() {
        let z = HolidayZone::Metropole;
        assert_eq!(holiday_name(d(2026, 1, 1), z), Some("Jour de l'an"));
        assert_eq!(holiday_name(d(2026, 4, 6), z), Some("Lundi de Pâques"));
        assert_eq!(holiday_name(d(2026, 5, 14), z), Some("Ascension"));
        assert_eq!(holiday_name(d(2026, 5, 25), z), Some("Lundi de Pentecôte"));
        assert_eq!(holiday_name(d(2026, 7, 14), z), Some("Fête nationale"));
        assert_eq!(holiday_name(d(2026, 12, 25), z), Some("Noël"));
        // Good Friday and Saint-Étienne are ordinary days outside Alsace-Moselle.
        assert_eq!(holiday_name(d(2026, 4, 3), z), None);
        assert_eq!(holiday_name(d(2026, 12, 26), z), None);
        let am = HolidayZone::AlsaceMoselle;
        assert_eq!(holiday_name(d(2026, 4, 3), am), Some("Vendredi saint"));
        assert_eq!(holiday_name(d(2026, 12, 26), am), Some("Saint-Étienne"));
        // Easter Sunday itself is a Sunday, not a listed holiday.
        assert_eq!(holiday_name(d(2026, 4, 5), am), None);
    }

    #[test]
    fn zone_of_communes() {
        let strasbourg = InseeCode::parse("67482").unwrap();
        let paris = InseeCode::parse("75056").unwrap();
        assert_eq!(
            HolidayZone::for_insee(&strasbourg),
            HolidayZone::AlsaceMoselle
        );
        assert_eq!(HolidayZone::for_insee(&paris), HolidayZone::Metropole);
    }

    proptest! {
        #[test]
        fn holidays_sorted_unique_in_year(year in 1583i32..4000) {
            for zone in [HolidayZone::Metropole, HolidayZone::AlsaceMoselle] {
                let days = public_holidays(year, zone);
                prop_assert!(days.windows(2).all(|w| w[0].date < w[1].date));
                prop_assert!(days.iter().all(|h| h.date.year() == year));
            }
        }

        #[test]
        fn movable_feasts_fall_on_their_weekday(year in 1583i32..4000) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sun);
            let days = public_holidays(year, HolidayZone::Metropole);
            let find = |name: &str| days.iter().find(|h| h.name == name).map(|h| h.date);
            prop_assert_eq!(find("Lundi de Pâques").map(|x| x.weekday()), Some(Weekday::Mon));
            prop_assert_eq!(find("Lundi de Pentecôte").map(|x| x.weekday()), Some(Weekday::Mon));
            // Ascension can coincide with 1 or 8 May: then the date is listed once.
            let ascension = shift(easter, 39);
            prop_assert_eq!(ascension.weekday(), Weekday::Thu);
            prop_assert!(days.iter().any(|h| h.date == ascension));
        }

        #[test]
        fn alsace_moselle_is_a_superset(year in 1583i32..4000) {
            let national = public_holidays(year, HolidayZone::Metropole);
            let alsace = public_holidays(year, HolidayZone::AlsaceMoselle);
            for h in &national {
                prop_assert!(alsace.iter().any(|a| a.date == h.date));
            }
            let good_friday = shift(easter_sunday(year), -2);
            prop_assert_eq!(good_friday.weekday(), Weekday::Fri);
            prop_assert!(alsace.iter().any(|a| a.date == good_friday));
        }
    }
}
