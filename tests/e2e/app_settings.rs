//! Settings the app and the command line share: they are kept in the vault
//! (tessera-core's preferences), so a choice made in one front end holds in
//! the other.

use crate::app::{
    add_by_uri, create_vault, oathtool, start, unix_now, uri, PASSWORD, SECRET, SHORT,
};
use crate::util::{stdout_ok, write_secret, TestVault};

/// Regression: the time offset set in the app's Settings did not reach the
/// CLI, so `tessera code` printed another code than the window.
#[test]
fn regression_the_time_offset_set_in_the_app_moves_the_cli_codes_too() {
    const OFFSET: u64 = 3600;
    let vault = TestVault::new();
    let app = start(&vault);
    create_vault(&app, true, false);
    add_by_uri(&app, &uri("Offset", "ada", SECRET));
    app.wait_for("[data-testid=settings]", SHORT).click();
    let field = app.wait_for("[data-testid=time-offset]", SHORT);
    field.clear();
    field.send_keys(&format!("{OFFSET}\u{E004}"));
    app.wait_until(
        "the saved confirmation",
        SHORT,
        || app.wait_for("[data-testid=toast]", SHORT).text(),
        |t| t == "Saved",
    );

    write_secret(&vault.password_file, format!("{PASSWORD}\n"));
    let before = unix_now();
    let code = stdout_ok(&vault.run_with_password(&["code", "Offset"]), "code");
    let after = unix_now();
    // The code of an hour ahead, for either side of a period boundary the
    // command may have crossed; never the code of now.
    let ahead = [
        oathtool(SECRET, before + OFFSET),
        oathtool(SECRET, after + OFFSET),
    ];
    assert!(ahead.contains(&code), "{code:?} is not one of {ahead:?}");
    // And the JSON listing scripts read says the same.
    let listed = stdout_ok(
        &vault.run_with_password(&["code", "Offset", "--json"]),
        "code --json",
    );
    let later = unix_now();
    assert!(
        [before, after, later]
            .iter()
            .any(|t| listed.contains(&oathtool(SECRET, t + OFFSET))),
        "{listed}"
    );
}
