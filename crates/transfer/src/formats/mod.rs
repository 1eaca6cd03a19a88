//! One module per format. Each module's header links the format's
//! description and lists what the format cannot carry.

use crate::registry::{Exporter, Importer};

pub mod aegis;
pub mod andotp;
pub mod bitwarden;
pub mod freeotp_plus;
pub mod google_migration;
pub mod proton;
pub mod qr_image;
pub mod steam;
pub mod twofas;
pub mod uri_list;

/// Every importer, most specific first.
pub(crate) static IMPORTERS: &[&dyn Importer] = &[
    &aegis::AegisImporter,
    &twofas::TwoFasImporter,
    &bitwarden::BitwardenImporter,
    &freeotp_plus::FreeOtpPlusImporter,
    &steam::SteamImporter,
    &proton::ProtonImporter,
    &google_migration::GoogleMigrationImporter,
    &uri_list::UriListImporter,
    &andotp::AndOtpImporter,
    &qr_image::QrImageImporter,
];

/// Every file exporter.
pub(crate) static EXPORTERS: &[&dyn Exporter] =
    &[&aegis::AegisExporter, &uri_list::UriListExporter];
