//! An opt-in signal for the launch benchmark (`app::bench` in
//! tests/e2e/app.rs): with `TESSERA_REPORT_FIRST_CODES=1` in its
//! environment the app writes one line to standard error when the first
//! codes leave for the page, which draws them in its next frame. The bench
//! times a real launch with it, without WebDriver's automation start-up in
//! the way. The line holds no code, name or count.

use std::sync::Once;

/// The environment variable that turns the report on.
pub const REPORT_ENV: &str = "TESSERA_REPORT_FIRST_CODES";

/// The line written, once.
pub const REPORT_LINE: &str = "tessera: first codes sent to the page";

static FIRST_CODES: Once = Once::new();

/// Called with every batch of codes sent to the page; reports the first
/// non-empty one when asked to.
pub fn codes_sent(count: usize) {
    if count == 0 || FIRST_CODES.is_completed() {
        return;
    }
    FIRST_CODES.call_once(|| {
        if std::env::var_os(REPORT_ENV).is_some_and(|v| v == "1") {
            eprintln!("{REPORT_LINE}");
        }
    });
}
