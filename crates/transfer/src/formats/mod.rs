//! One module per format. Each module's header links the format's
//! description and lists what the format cannot carry.

use crate::registry::{Exporter, Importer};

pub mod aegis;
pub mod andotp;
pub(crate) mod android_prefs;
pub mod authenticator_plus;
pub mod authy;
pub mod battle_net;
pub mod bitwarden;
pub mod bitwarden_csv;
pub mod duo;
pub mod ente;
pub mod freeotp;
pub mod freeotp2;
pub mod freeotp_plus;
pub mod google_authenticator_db;
pub mod google_migration;
pub mod kdbx;
pub mod lastpass;
pub mod microsoft_authenticator;
pub mod onepassword;
pub mod opvault;
pub mod proton;
pub mod proton_pass;
pub mod qr_image;
pub(crate) mod sqlite;
pub mod steam;
pub mod stratum;
pub mod stratum_db;
pub mod stratum_html;
pub mod totp_authenticator;
pub mod twofas;
pub mod uri_list;
pub mod winauth;

/// Every importer, most specific first.
pub(crate) static IMPORTERS: &[&dyn Importer] = &[
    &aegis::AegisImporter,
    &twofas::TwoFasImporter,
    &bitwarden::BitwardenImporter,
    &bitwarden_csv::BitwardenCsvImporter,
    &onepassword::OnePasswordImporter,
    &opvault::OpVaultImporter,
    &freeotp_plus::FreeOtpPlusImporter,
    &freeotp::FreeOtpImporter,
    &freeotp2::FreeOtp2Importer,
    &authy::AuthyImporter,
    &battle_net::BattleNetImporter,
    &steam::SteamImporter,
    &proton::ProtonImporter,
    &proton_pass::ProtonPassImporter,
    &ente::EnteImporter,
    &stratum::StratumImporter,
    &stratum_html::StratumHtmlImporter,
    &lastpass::LastPassImporter,
    &duo::DuoImporter,
    &winauth::WinAuthImporter,
    &google_migration::GoogleMigrationImporter,
    &google_authenticator_db::GoogleAuthenticatorDbImporter,
    &microsoft_authenticator::MicrosoftAuthenticatorImporter,
    &stratum_db::StratumDbImporter,
    &uri_list::UriListImporter,
    &kdbx::KdbxImporter,
    &andotp::AndOtpImporter,
    &authenticator_plus::AuthenticatorPlusImporter,
    &totp_authenticator::TotpAuthenticatorImporter,
    &qr_image::QrImageImporter,
];

/// Every file exporter.
pub(crate) static EXPORTERS: &[&dyn Exporter] = &[
    &aegis::AegisExporter,
    &uri_list::UriListExporter,
    &kdbx::KdbxExporter,
];
