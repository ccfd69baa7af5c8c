//! The cost of evaluating opening hours: the probe's worst cases of issue 9 (a year without
//! any change, which the `opening-hours` crate scanned day by day to the year 10000) next to
//! typical hours. Only `Timetable::new` and `status_and_next_change` are used, so the same file
//! runs on the code before the fix.
//!
//!   cargo bench -p relais-domain --bench hours
//!   cargo bench -p relais-domain --bench hours -- 'probe/1 rule'   # one case

use chrono::{TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

use relais_domain::calendar::HolidayZone;
use relais_domain::hours::{OpeningHours, Timetable};

fn cases() -> Vec<(&'static str, String)> {
    let rule = "Mo-Su 10:00-11:00 off";
    vec![
        (
            "typical",
            "Mo-Fr 09:00-12:00,14:00-17:30; PH off".to_string(),
        ),
        (
            "typical with months",
            "Mo-Fr 09:00-12:00,14:00-17:30; Aug off; Dec 24-Jan 02 off; PH off".to_string(),
        ),
        ("1 rule", "10:00-11:00 off".to_string()),
        ("4 rules", ["10:00-11:00 off"; 4].join("; ")),
        ("16 rules", vec!["10:00-11:00 off"; 16].join("; ")),
        ("42 rules ;", vec![rule; 42].join("; ")),
        ("42 rules ,", vec![rule; 42].join(", ")),
        (
            "42 rules 10:00-34:00",
            vec!["Mo-Su 10:00-34:00 off"; 42].join("; "),
        ),
        // The costliest a directory accepts (`cost()` 39,744 of the 40,000 budget): rules by
        // month are computed on every day, not once per kind of day.
        ("107 month rules", vec!["Jan off"; 107].join(";")),
        // Beyond the budget (as hours stored before the limit): stops at the budget.
        ("111 month rules", vec!["Jan off"; 111].join(";")),
    ]
}

fn probe(c: &mut Criterion) {
    // Monday 7 December 2026, 10:30 in Paris.
    let at = chrono_tz::Europe::Paris
        .with_ymd_and_hms(2026, 12, 7, 10, 30, 0)
        .unwrap()
        .with_timezone(&Utc);
    let mut group = c.benchmark_group("probe");
    group.sample_size(10);
    for (name, expr) in cases() {
        let hours = OpeningHours::parse(&expr).expect("valid");
        let t = Timetable::new(Some(hours), HolidayZone::Metropole, Vec::new());
        group.bench_with_input(BenchmarkId::from_parameter(name), &t, |b, t| {
            b.iter(|| t.status_and_next_change(std::hint::black_box(at)))
        });
    }
    group.finish();
}

criterion_group!(benches, probe);
criterion_main!(benches);
