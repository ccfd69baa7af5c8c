//! `relais export`: the directory as data·inclusion v1.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use relais_exchange::{export_services, export_structures};
use relais_store::DynStore;

/// Writes `structures.json` and `services.json` into `out`; returns the counts.
pub async fn export_to(store: &DynStore, out: &Path) -> anyhow::Result<(usize, usize)> {
    let structures = store.list_structures().await?;
    let services = store.list_services().await?;
    write_files(
        out,
        &export_structures(&structures),
        &export_services(&services, &structures),
    )?;
    Ok((structures.len(), services.len()))
}

/// Writes both files, each through a temporary file renamed into place, so that a reader never
/// sees half a file.
pub fn write_files(out: &Path, structures: &Value, services: &Value) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, value) in [("structures.json", structures), ("services.json", services)] {
        let path = out.join(name);
        let tmp = out.join(format!(".{name}.tmp"));
        let bytes = serde_json::to_vec_pretty(value)?;
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
