//! `relais demo`: the synthetic dataset, written as data·inclusion v1.

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use chrono::NaiveDate;

use relais_exchange::{demo_dataset_on, export_services, export_structures};

/// From this many services on, a progress bar is shown (on a terminal).
const PROGRESS_FROM: usize = 5_000;

/// Generates `services` fictitious services with `seed`, dated relative to `today`, and writes
/// `structures.json` and `services.json` into `out`.
pub fn write_demo(services: usize, seed: u64, today: NaiveDate, out: &Path) -> anyhow::Result<()> {
    let bar = if services >= PROGRESS_FROM {
        let b = ProgressBar::new(services as u64);
        b.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .progress_chars("=> "),
        );
        b.set_message("génération");
        b
    } else {
        ProgressBar::hidden()
    };
    let (structures, svcs) =
        demo_dataset_on(services, seed, today, &mut |n| bar.set_position(n as u64));
    bar.finish_and_clear();
    super::export::write_files(
        out,
        &export_structures(&structures),
        &export_services(&svcs, &structures),
    )
    .with_context(|| format!("cannot write the demo dataset into {}", out.display()))?;
    println!(
        "wrote {} structures and {} services (seed {seed}, day {today}, source relais-demo, fictitious) to {}",
        structures.len(),
        svcs.len(),
        out.display()
    );
    Ok(())
}
