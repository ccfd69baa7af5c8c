//! Times, dates, distances and statuses in words, for each language of the interface. All times
//! are wall-clock times in Paris: a person reads « 17 h », never an offset.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Europe::Paris;

use relais_domain::Status;

use super::i18n::{Arg, Lang, Tr};

/// A time of day as people of that language write it: « 9 h 30 », "9:30 am", « 9:30 ».
pub fn time(lang: Lang, t: NaiveTime) -> String {
    let (h, m) = (t.hour(), t.minute());
    match lang {
        // No-break spaces: « 8 h 30 » must not break across lines.
        Lang::Fr if m == 0 => format!("{h}\u{a0}h"),
        Lang::Fr => format!("{h}\u{a0}h\u{a0}{m:02}"),
        Lang::En => {
            let (h12, suffix) = match h {
                0 => (12, "am"),
                1..=11 => (h, "am"),
                12 => (12, "pm"),
                _ => (h - 12, "pm"),
            };
            if m == 0 {
                format!("{h12}\u{a0}{suffix}")
            } else {
                format!("{h12}:{m:02}\u{a0}{suffix}")
            }
        }
        Lang::Ar => format!("{h}:{m:02}"),
    }
}

/// The end of a span: `None` is midnight at the end of the day.
pub fn end_time(lang: Lang, t: Option<NaiveTime>) -> String {
    match (t, lang) {
        (Some(t), _) => time(lang, t),
        (None, Lang::Fr) => "24\u{a0}h".to_owned(),
        (None, Lang::En) => "midnight".to_owned(),
        (None, Lang::Ar) => "24:00".to_owned(),
    }
}

/// The name of a weekday (`lundi`, `Monday`, `الاثنين`).
pub fn weekday(tr: &Tr, d: NaiveDate) -> String {
    tr.t(&format!("weekday-{}", d.weekday().number_from_monday()))
}

/// « lundi 29 décembre », "Monday 29 December".
pub fn long_date(tr: &Tr, d: NaiveDate) -> String {
    tr.t_with(
        "date-long",
        &[
            ("weekday", Arg::Str(&weekday(tr, d))),
            ("day", Arg::Num(i64::from(d.day()))),
            ("month", Arg::Str(&tr.t(&format!("month-{}", d.month())))),
        ],
    )
}

/// « 29 décembre 2026 », for dates that may be in another year.
pub fn date_with_year(tr: &Tr, d: NaiveDate) -> String {
    tr.t_with(
        "date-year",
        &[
            ("day", Arg::Num(i64::from(d.day()))),
            ("month", Arg::Str(&tr.t(&format!("month-{}", d.month())))),
            ("year", Arg::Num(i64::from(d.year()))),
        ],
    )
}

/// « 350 m », « 1,2 km » (decimal comma in French), "1.2 km".
pub fn distance(lang: Lang, metres: f64) -> String {
    let (m_unit, km_unit) = match lang {
        Lang::Ar => ("م", "كم"),
        _ => ("m", "km"),
    };
    if metres < 1000.0 {
        // To the nearest 10 m: more precision than that is false for a straight line.
        let m = ((metres / 10.0).round() * 10.0).max(10.0) as u64;
        return format!("{m} {m_unit}");
    }
    let km = format!("{:.1}", metres / 1000.0);
    match lang {
        Lang::Fr => format!("{} {km_unit}", km.replace('.', ",")),
        _ => format!("{km} {km_unit}"),
    }
}

/// A radius in km as typed in the form: « 3 km », « 1,5 km ».
pub fn km(lang: Lang, km: f64) -> String {
    let s = if km.fract() == 0.0 {
        format!("{km:.0}")
    } else {
        format!("{km}")
    };
    match lang {
        Lang::Fr => s.replace('.', ","),
        _ => s,
    }
}

/// The CSS class of a status (colour and icon come with words, never alone).
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Open => "status-open",
        Status::Closed => "status-closed",
        Status::Unknown => "status-unknown",
    }
}

/// A status in words, with when it changes: « Ouvert jusqu'à 17 h », « Fermé — ouvre demain à
/// 9 h », « Horaires à confirmer ». A change at midnight ends the day before (« jusqu'à 24 h »),
/// never « 0 h » of a day on which the service is closed.
pub fn status_phrase(
    tr: &Tr,
    status: Status,
    next_change: Option<DateTime<Utc>>,
    next_status: Option<Status>,
    now: DateTime<Utc>,
) -> String {
    let today = now.with_timezone(&Paris).date_naive();
    let Some(at) = next_change.map(|t| t.with_timezone(&Paris).naive_local()) else {
        return match status {
            Status::Open => tr.t("status-open"),
            Status::Closed => tr.t("status-closed"),
            Status::Unknown => tr.t("status-unknown"),
        };
    };
    // When it opens: that day at that time. When it closes at midnight: the end of the day
    // before.
    let (date, t) = if status == Status::Open && at.time() == NaiveTime::MIN {
        (
            at.date().pred_opt().unwrap_or(at.date()),
            end_time(tr.lang, None),
        )
    } else {
        (at.date(), time(tr.lang, at.time()))
    };
    let when = |keys: [&str; 4]| match (date - today).num_days() {
        0 => tr.t1(keys[0], "time", &t),
        1 => tr.t1(keys[1], "time", &t),
        2..=6 => tr.t_with(
            keys[2],
            &[
                ("day", Arg::Str(&weekday(tr, date))),
                ("time", Arg::Str(&t)),
            ],
        ),
        _ => tr.t1(keys[3], "date", &long_date_from(tr, date, today)),
    };
    match (status, next_status) {
        (Status::Open, _) => when([
            "status-open-until",
            "status-open-until-tomorrow",
            "status-open-until-day",
            "status-open-until-date",
        ]),
        (Status::Closed, Some(Status::Open)) => when([
            "status-closed-opens",
            "status-closed-opens-tomorrow",
            "status-closed-opens-day",
            "status-closed-opens-date",
        ]),
        (Status::Closed, _) => tr.t("status-closed"),
        (Status::Unknown, _) => tr.t("status-unknown"),
    }
}

/// A long date, with the year when it is not `today`'s.
pub fn long_date_from(tr: &Tr, d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        long_date(tr, d)
    } else {
        format!("{} {}", long_date(tr, d), d.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn paris(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Paris
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .earliest()
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn times_read_as_people_write_them() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid");
        assert_eq!(time(Lang::Fr, t(9, 0)), "9\u{a0}h");
        assert_eq!(time(Lang::Fr, t(13, 30)), "13\u{a0}h\u{a0}30");
        assert_eq!(time(Lang::En, t(0, 15)), "12:15\u{a0}am");
        assert_eq!(time(Lang::En, t(12, 0)), "12\u{a0}pm");
        assert_eq!(time(Lang::En, t(17, 0)), "5\u{a0}pm");
        assert_eq!(time(Lang::Ar, t(9, 5)), "9:05");
        assert_eq!(distance(Lang::Fr, 1234.0), "1,2 km");
        assert_eq!(distance(Lang::En, 1234.0), "1.2 km");
        assert_eq!(distance(Lang::Fr, 344.0), "340 m");
        assert_eq!(distance(Lang::Fr, 2.0), "10 m");
        assert_eq!(distance(Lang::Ar, 2700.0), "2.7 كم");
    }

    #[test]
    fn statuses_say_when_they_change() {
        let fr = Tr::new(Lang::Fr);
        // Tuesday 22 December 2026, 10:30.
        let now = paris(22, 10, 30);
        let s = |st, next: Option<DateTime<Utc>>, ns| status_phrase(&fr, st, next, ns, now);
        assert_eq!(
            s(Status::Open, Some(paris(22, 17, 0)), Some(Status::Closed)),
            "Ouvert jusqu’à 17\u{a0}h"
        );
        assert_eq!(
            s(Status::Closed, Some(paris(23, 9, 0)), Some(Status::Open)),
            "Fermé — ouvre demain à 9\u{a0}h"
        );
        assert_eq!(
            s(Status::Closed, Some(paris(22, 14, 0)), Some(Status::Open)),
            "Fermé — ouvre à 14\u{a0}h"
        );
        assert_eq!(
            s(Status::Closed, Some(paris(28, 9, 30)), Some(Status::Open)),
            "Fermé — ouvre lundi à 9\u{a0}h\u{a0}30"
        );
        assert_eq!(
            s(Status::Closed, Some(paris(31, 9, 0)), Some(Status::Open)),
            "Fermé — ouvre le jeudi 31 décembre"
        );
        // The next change leads to "unknown" (by appointment): do not promise an opening.
        assert_eq!(
            s(Status::Closed, Some(paris(23, 9, 0)), Some(Status::Unknown)),
            "Fermé"
        );
        assert_eq!(s(Status::Unknown, None, None), "Horaires à confirmer");
        // A change at midnight ends the day before: never « 0 h » of a closed day.
        assert_eq!(
            s(Status::Open, Some(paris(23, 0, 0)), Some(Status::Closed)),
            "Ouvert jusqu’à 24\u{a0}h"
        );
        assert_eq!(
            s(Status::Open, Some(paris(25, 0, 0)), Some(Status::Closed)),
            "Ouvert jusqu’à jeudi 24\u{a0}h"
        );
        // Far changes carry the date, with the year when it is another year; « 1er ».
        assert_eq!(
            s(Status::Open, Some(paris(31, 0, 0)), Some(Status::Closed)),
            "Ouvert jusqu’au mercredi 30 décembre"
        );
        let jan = Paris
            .with_ymd_and_hms(2027, 1, 1, 9, 0, 0)
            .earliest()
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(
            s(Status::Closed, Some(jan), Some(Status::Open)),
            "Fermé — ouvre le vendredi 1er janvier 2027"
        );
        assert_eq!(s(Status::Open, None, None), "Ouvert");
        let en = Tr::new(Lang::En);
        assert_eq!(
            status_phrase(
                &en,
                Status::Closed,
                Some(paris(23, 9, 0)),
                Some(Status::Open),
                now
            ),
            "Closed — opens tomorrow at 9\u{a0}am"
        );
    }
}
