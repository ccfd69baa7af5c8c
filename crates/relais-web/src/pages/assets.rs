//! Static assets, embedded in the binary and served under names that carry a hash of their
//! content (`app.3f2a9c1d0b.css`), so that they can be cached for a year and a new version is a
//! new URL. No asset comes from anywhere else (no fonts, no CDN).

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::i18n::Locale;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Name as served, with the hash (`app.3f2a9c1d0b.css`).
    pub name: String,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

impl Asset {
    fn new(stem: &str, ext: &str, content_type: &'static str, body: &'static [u8]) -> Self {
        let digest = Sha256::digest(body);
        let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            name: format!("{stem}.{hash}.{ext}"),
            content_type,
            body,
        }
    }

    /// The URL of the asset.
    pub fn url(&self) -> String {
        format!("/static/{}", self.name)
    }
}

/// The stylesheet and the one optional script.
#[derive(Debug)]
pub struct Assets {
    pub css: Asset,
    /// Fills the place with the device's position when geolocation is available (≤ 5 KB).
    pub near_me: Asset,
}

/// The assets of this build.
pub fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| Assets {
        css: Asset::new(
            "app",
            "css",
            "text/css; charset=utf-8",
            include_bytes!("../../static/app.css"),
        ),
        near_me: Asset::new(
            "near-me",
            "js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/near-me.js"),
        ),
    })
}

/// `GET /static/{name}`: only the current names exist; old names are 404 (a page that asks for
/// them is an old page, which the browser will fetch again).
pub async fn serve(locale: Locale, uri: Uri, Path(name): Path<String>) -> Response {
    let a = assets();
    let Some(asset) = [&a.css, &a.near_me].into_iter().find(|x| x.name == name) else {
        return super::not_found(locale, &uri);
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.body,
    )
        .into_response()
}
