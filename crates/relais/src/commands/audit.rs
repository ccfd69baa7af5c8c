//! `relais audit verify`: walks the journal's hash chain page by page.

use std::process::ExitCode;

use relais_domain::journal::{Break, Head, Verifier};
use relais_store::DynStore;

/// Events read per page.
const PAGE: u32 = 10_000;

/// Verifies the whole chain (and that `expect_head` is in it).
pub async fn verify(
    store: &DynStore,
    expect_head: Option<&str>,
) -> anyhow::Result<Result<Head, Break>> {
    let mut v = Verifier::new(expect_head);
    let mut after = 0;
    loop {
        let page = store.journal_page(after, PAGE).await?;
        let Some(last) = page.last().map(|e| e.seq) else {
            break;
        };
        for e in &page {
            if let Err(b) = v.push(e) {
                return Ok(Err(b));
            }
        }
        after = last;
    }
    Ok(v.finish())
}

/// Prints the head and count (exit 0) or the first break (exit 1).
pub async fn verify_command(
    store: &DynStore,
    expect_head: Option<&str>,
) -> anyhow::Result<ExitCode> {
    match verify(store, expect_head).await? {
        Ok(head) => {
            println!("journal intact: {} events, head {}", head.count, head.hash);
            Ok(ExitCode::SUCCESS)
        }
        Err(b) => {
            eprintln!("journal BROKEN: {b}");
            Ok(ExitCode::FAILURE)
        }
    }
}
