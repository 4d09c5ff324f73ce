//! The OpenAPI 3 document of the HTTP API, generated from the handlers and response types.

use std::sync::OnceLock;

use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::search::Status;
use crate::speakers::CompanyStats;

/// Every error response: `{"error": "…"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompaniesResponse {
    pub companies: Vec<CompanyStats>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub talks: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub status: String,
    pub index: Status,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "talksearch", description = "Search conference talks in Chinese and English."),
    paths(
        super::api::search,
        super::api::talk,
        super::api::speakers,
        super::api::companies,
        super::api::analyze,
        super::api::healthz,
        super::api::readyz,
    )
)]
struct ApiDoc;

/// The document as JSON, built once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_json().expect("the OpenAPI document serializes"))
}
