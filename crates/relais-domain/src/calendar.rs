//! The French legal calendar: public holidays by zone. (Being written: see hours brief.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::geo::InseeCode;

/// Which set of public holidays applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayZone {
    /// The 11 national public holidays.
    Metropole,
    /// Départements 57, 67, 68: the national days plus Good Friday and 26 December.
    AlsaceMoselle,
}

impl HolidayZone {
    /// The zone of a commune, from its département.
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

/// The public holidays of `year` in `zone`, in date order.
pub fn public_holidays(_year: i32, _zone: HolidayZone) -> Vec<Holiday> {
    Vec::new()
}

/// The name of the public holiday on `date` in `zone`, if it is one.
pub fn holiday_name(_date: NaiveDate, _zone: HolidayZone) -> Option<&'static str> {
    None
}
