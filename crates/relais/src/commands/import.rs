//! `relais import`: data·inclusion files, validated together, written in one transaction.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use relais_domain::{Service, Structure, StructureId};
use relais_exchange::{ExternalStructure, ImportError, Note, parse_document};
use relais_store::{DynStore, ImportCounts};

/// At most this many errors are printed; the rest are counted.
pub const MAX_ERRORS_SHOWN: usize = 50;
/// At most this many notes (skipped or adjusted data) are printed.
pub const MAX_NOTES_SHOWN: usize = 30;

/// What a validated set of files holds.
#[derive(Debug, Default)]
pub struct Batch {
    pub structures: Vec<Structure>,
    pub services: Vec<Service>,
    /// Skipped or adjusted data, `FILE:ITEM: message`.
    pub notes: Vec<String>,
}

/// Reads and validates every file, and checks that each service's structure is in the files or
/// already in the store. Returns every error, or the batch to write.
pub async fn validate_files(
    store: &DynStore,
    files: &[PathBuf],
) -> anyhow::Result<Result<Batch, Vec<String>>> {
    let mut errors: Vec<String> = Vec::new();
    let mut structures: HashMap<StructureId, (String, Structure)> = HashMap::new();
    let mut services: Vec<(String, Service)> = Vec::new();
    let mut external: Vec<(String, ExternalStructure)> = Vec::new();
    let mut notes = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{name}: cannot read the file: {e}"));
                continue;
            }
        };
        match parse_document(&name, &bytes) {
            Ok(parsed) => {
                for s in parsed.structures {
                    if let Some((first, earlier)) = structures.get(&s.id)
                        && *earlier != s
                    {
                        errors.push(format!(
                            "{name}:structures[id={}]: id: la même structure est dans {first} avec un autre contenu",
                            s.source_id
                        ));
                    }
                    structures.insert(s.id, (name.clone(), s));
                }
                services.extend(parsed.services.into_iter().map(|s| (name.clone(), s)));
                external.extend(
                    parsed
                        .external_structures
                        .into_iter()
                        .map(|e| (name.clone(), e)),
                );
                notes.extend(
                    parsed
                        .notes
                        .iter()
                        .map(|n: &Note| format!("{name}:{}: {}", n.item, n.message)),
                );
            }
            Err(errs) => errors.extend(errs.iter().map(ImportError::to_string)),
        }
    }
    // Every service must rest on a structure: in one of the files, or already in the store.
    let mut in_store: HashMap<StructureId, bool> = HashMap::new();
    for (file, e) in &external {
        if structures.contains_key(&e.structure) {
            continue;
        }
        let found = match in_store.get(&e.structure) {
            Some(f) => *f,
            None => {
                let f = store.get_structure(e.structure).await?.is_some();
                in_store.insert(e.structure, f);
                f
            }
        };
        if !found {
            errors.push(format!(
                "{file}:{}: structure_id: la structure « {} » (source « {} ») n'est ni dans les fichiers importés ni dans l'annuaire",
                e.item, e.source_id, e.source
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // The same record in two files is fine when identical, an error otherwise (which one is
    // true cannot be guessed).
    let mut by_id: HashMap<_, (String, Service)> = HashMap::new();
    for (file, s) in services {
        if let Some((first, earlier)) = by_id.get(&s.id)
            && *earlier != s
        {
            errors.push(format!(
                "{file}:services[id={}]: id: le même service est dans {first} avec un autre contenu",
                s.source_id
            ));
        }
        by_id.insert(s.id, (file, s));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut structures: Vec<Structure> = structures.into_values().map(|(_, s)| s).collect();
    structures.sort_by_key(|s| s.id);
    let mut services: Vec<Service> = by_id.into_values().map(|(_, s)| s).collect();
    services.sort_by_key(|s| s.id);
    Ok(Ok(Batch {
        structures,
        services,
        notes,
    }))
}

/// Validates, then writes everything in one transaction; prints errors or counts.
pub async fn import_command(store: &DynStore, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let batch = match validate_files(store, files).await? {
        Ok(b) => b,
        Err(errors) => {
            for e in errors.iter().take(MAX_ERRORS_SHOWN) {
                eprintln!("{e}");
            }
            if errors.len() > MAX_ERRORS_SHOWN {
                eprintln!("… and {} more errors", errors.len() - MAX_ERRORS_SHOWN);
            }
            eprintln!("{} error(s): nothing was imported", errors.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut event =
        relais_domain::journal::NewEvent::system(chrono::Utc::now(), "cli", "directory.import");
    event.details = serde_json::json!({ "files": files.len() });
    let counts = store
        .apply_import_as(&batch.structures, &batch.services, event)
        .await?;
    print_report(&batch, &counts);
    Ok(ExitCode::SUCCESS)
}

fn print_report(batch: &Batch, c: &ImportCounts) {
    for n in batch.notes.iter().take(MAX_NOTES_SHOWN) {
        println!("note: {n}");
    }
    if batch.notes.len() > MAX_NOTES_SHOWN {
        println!(
            "note: … and {} more notes",
            batch.notes.len() - MAX_NOTES_SHOWN
        );
    }
    println!(
        "structures: {} created, {} updated, {} unchanged",
        c.structures.created, c.structures.updated, c.structures.unchanged
    );
    println!(
        "services: {} created, {} updated, {} unchanged",
        c.services.created, c.services.updated, c.services.unchanged
    );
}
