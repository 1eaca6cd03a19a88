//! Wayland screen capture through the xdg-desktop-portal, against a stand-in
//! portal on a private D-Bus bus: the machines the tests run on have no
//! Wayland compositor, but the D-Bus conversation (subscribe, ask, wait for
//! `Response`, read and delete the file) is all Tessera's side of it.
//!
//! A test binary of its own, as it changes the process environment. Needs
//! `dbus-daemon`; skipped without it, unless `TESSERA_DESKTOP_SESSION` is
//! set (as `tests/with-desktop.sh` sets it), where that is a failure.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat};
use tessera_scan::{capture_screens, scan_screens, ImageLimits, SourceError};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

use common::synthetic_screen::render_code;

const ENROLLMENT: &str =
    "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

/// A private bus; stopped when dropped.
struct PrivateBus {
    daemon: Child,
    folder: PathBuf,
    address: String,
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Starts a bus with no service activation, so nothing but the stand-in
/// can answer as the portal.
fn private_bus() -> Option<PrivateBus> {
    let folder = std::env::temp_dir().join(format!("tessera-portal-test-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let config = folder.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            folder.display()
        ),
    )
    .unwrap();
    let daemon = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut daemon = match daemon {
        Ok(daemon) => daemon,
        Err(error) => {
            assert!(
                std::env::var_os("TESSERA_DESKTOP_SESSION").is_none(),
                "dbus-daemon: {error}"
            );
            eprintln!("portal test: skipped, no dbus-daemon ({error})");
            let _ = std::fs::remove_dir_all(&folder);
            return None;
        }
    };
    let mut address = String::new();
    BufReader::new(daemon.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    Some(PrivateBus {
        daemon,
        folder,
        address: address.trim().to_owned(),
    })
}

/// What the stand-in portal does when asked.
#[derive(Clone)]
enum Answer {
    /// Writes this PNG and answers with its URI.
    Picture(Arc<Vec<u8>>),
    /// Answers with this response code and no results.
    Code(u32),
}

/// Something served where the portal lives, so the object server answers
/// calls to interfaces it lacks (as a portal without a screenshot backend
/// does) instead of leaving them unanswered.
struct OtherInterface;

#[zbus::interface(name = "org.freedesktop.portal.Other")]
impl OtherInterface {
    fn nothing(&self) {}
}

struct StandInPortal {
    answer: Answer,
    folder: PathBuf,
    calls: Arc<AtomicU32>,
}

#[zbus::interface(name = "org.freedesktop.portal.Screenshot")]
impl StandInPortal {
    /// `Screenshot(parent_window, options) -> handle`, answering on the
    /// request object the client's token names, as xdg-desktop-portal does.
    async fn screenshot(
        &self,
        #[zbus(header)] header: zbus::message::Header<'_>,
        #[zbus(connection)] connection: &zbus::Connection,
        _parent_window: String,
        options: HashMap<String, OwnedValue>,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let number = self.calls.fetch_add(1, Ordering::SeqCst);
        let option = |name: &str| {
            options
                .get(name)
                .and_then(|value| value.try_clone().ok())
                .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no {name}")))
        };
        let interactive = bool::try_from(option("interactive")?)
            .map_err(|error| zbus::fdo::Error::InvalidArgs(error.to_string()))?;
        if interactive {
            return Err(zbus::fdo::Error::InvalidArgs(
                "expected interactive: false".into(),
            ));
        }
        let token = String::try_from(option("handle_token")?)
            .map_err(|error| zbus::fdo::Error::InvalidArgs(error.to_string()))?;
        let sender = header
            .sender()
            .ok_or_else(|| zbus::fdo::Error::Failed("no sender".into()))?
            .trim_start_matches(':')
            .replace('.', "_");
        let handle = format!("/org/freedesktop/portal/desktop/request/{sender}/{token}");

        let (code, results) = match &self.answer {
            Answer::Picture(png) => {
                // A name with a space, so the URI needs an escape.
                let file = self.folder.join(format!("Screenshot {number}.png"));
                std::fs::write(&file, png.as_slice()).unwrap();
                let uri = format!("file://{}", file.display().to_string().replace(' ', "%20"));
                (0, HashMap::from([("uri".to_owned(), uri)]))
            }
            Answer::Code(code) => (*code, HashMap::new()),
        };
        let connection = connection.clone();
        let signal_path = handle.clone();
        // The answer comes after the reply, as from a real portal.
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let results: HashMap<&str, Value<'_>> = results
                .iter()
                .map(|(key, value)| (key.as_str(), Value::from(value.as_str())))
                .collect();
            connection
                .emit_signal(
                    None::<&str>,
                    signal_path.as_str(),
                    "org.freedesktop.portal.Request",
                    "Response",
                    &(code, results),
                )
                .await
                .unwrap();
        });
        Ok(OwnedObjectPath::try_from(handle).unwrap())
    }
}

/// A stand-in running on a thread of its own; dropping it stops it and
/// releases the portal's name.
struct Serving {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Serving {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs a stand-in portal (or, with `answer` `None`, something owning the
/// portal's name that has no screenshot interface).
fn serve(bus: &PrivateBus, answer: Option<Answer>, calls: Arc<AtomicU32>) -> Serving {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let (ready, is_ready) = std::sync::mpsc::channel::<()>();
    let address = bus.address.clone();
    let folder = bus.folder.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            // The previous stand-in's name may take a moment to be released.
            let mut attempts = 0;
            let connection = loop {
                let mut builder = zbus::connection::Builder::address(address.as_str())
                    .unwrap()
                    .name("org.freedesktop.portal.Desktop")
                    .unwrap();
                builder = match answer.clone() {
                    Some(answer) => builder.serve_at(
                        "/org/freedesktop/portal/desktop",
                        StandInPortal {
                            answer,
                            folder: folder.clone(),
                            calls: calls.clone(),
                        },
                    ),
                    None => builder.serve_at("/org/freedesktop/portal/desktop", OtherInterface),
                }
                .unwrap();
                match builder.build().await {
                    Ok(connection) => break connection,
                    Err(error) if attempts < 50 => {
                        attempts += 1;
                        eprintln!("stand-in portal: {error}; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                    Err(error) => panic!("stand-in portal: {error}"),
                }
            };
            ready.send(()).unwrap();
            // Serve until told to stop.
            let _ = tokio::task::spawn_blocking(move || {
                let _ = stopped.recv();
            })
            .await;
            drop(connection);
        });
    });
    is_ready.recv().expect("the stand-in portal started");
    Serving {
        stop: Some(stop),
        thread: Some(thread),
    }
}

#[test]
fn wayland_capture_goes_through_the_portal() {
    let Some(bus) = private_bus() else {
        return;
    };
    std::env::remove_var("DISPLAY");
    std::env::set_var("WAYLAND_DISPLAY", "wayland-tessera-test");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let limits = ImageLimits::default();

    // Nothing owns the portal's name.
    let error = capture_screens(&limits).expect_err("no portal");
    assert_eq!(
        error.to_string(),
        "cannot capture the screen: on Wayland, screen capture goes through the \
         xdg-desktop-portal screenshot interface, and xdg-desktop-portal is not \
         installed or not running"
    );

    // A portal without a screenshot backend.
    let calls = Arc::new(AtomicU32::new(0));
    let stop = serve(&bus, None, calls.clone());
    let error = capture_screens(&limits).expect_err("no screenshot interface");
    assert!(
        error.to_string().contains("install the portal backend"),
        "{error}"
    );
    drop(stop);

    // A portal that takes the screenshot: the code on it is found, and the
    // file it wrote is gone afterwards.
    let code = render_code(ENROLLMENT, 6, 4, false);
    let mut page = image::GrayImage::from_pixel(800, 600, image::Luma([255]));
    image::imageops::replace(&mut page, &code, 300, 150);
    let mut png = Vec::new();
    DynamicImage::ImageLuma8(page)
        .write_to(&mut std::io::Cursor::new(&mut png), ImageFormat::Png)
        .unwrap();
    let stop = serve(&bus, Some(Answer::Picture(Arc::new(png))), calls.clone());
    let screenshots = capture_screens(&limits).expect("capturing through the portal");
    assert_eq!(screenshots.len(), 1);
    assert_eq!(screenshots[0].monitor, "desktop");
    assert_eq!(screenshots[0].origin, (0, 0));
    assert_eq!(
        (screenshots[0].image.width(), screenshots[0].image.height()),
        (800, 600)
    );
    let found = scan_screens(&limits).expect("scanning through the portal");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code.text, ENROLLMENT);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let left: Vec<_> = std::fs::read_dir(&bus.folder)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "png"))
        .collect();
    assert!(left.is_empty(), "screenshots left behind: {left:?}");

    // From inside an async runtime (as from the app's async commands): no
    // nested-runtime panic.
    let inside = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async { capture_screens(&limits) });
    assert_eq!(inside.expect("capturing from async code").len(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    // The screenshot is too large: refused, and deleted all the same.
    let small = ImageLimits {
        max_side: 500,
        ..ImageLimits::default()
    };
    let error = capture_screens(&small).expect_err("over the limits");
    assert!(
        matches!(error, SourceError::ImageTooLarge { .. }),
        "{error}"
    );
    assert!(!bus.folder.join("Screenshot 3.png").exists());
    drop(stop);

    // The user said no.
    let stop = serve(&bus, Some(Answer::Code(1)), calls.clone());
    let error = capture_screens(&limits).expect_err("refused");
    assert!(matches!(error, SourceError::ScreenCaptureDenied), "{error}");
    assert!(error.to_string().contains("refused"), "{error}");
    drop(stop);

    // The portal failed.
    let stop = serve(&bus, Some(Answer::Code(2)), calls);
    let error = capture_screens(&limits).expect_err("failed");
    assert!(
        error.to_string().contains("could not take the screenshot"),
        "{error}"
    );
    drop(stop);
}
