//! Background watchers that lock the vault without the webview's help: the
//! idle auto-lock (checked here, so it happens even when the window's
//! timers sleep), and, on Linux, the desktop telling that the session
//! locked or the machine is about to sleep.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// How often the idle auto-lock is checked: the lock comes at most this
/// late, which is nothing next to minutes of idleness.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Starts every watcher; they run until the app exits.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    // A plain thread: it sleeps almost all the time and needs no runtime.
    let _ = std::thread::Builder::new()
        .name("tessera-idle-lock".into())
        .spawn(move || loop {
            std::thread::sleep(IDLE_CHECK);
            handle.state::<AppState>().lock_if_idle();
        });
    #[cfg(target_os = "linux")]
    linux::start(app);
}

#[cfg(target_os = "linux")]
mod linux {
    //! Screensaver and logind signals over D-Bus. Each desktop announces a
    //! locked screen on its own screensaver interface (`ActiveChanged(true)`);
    //! logind announces sleep (`PrepareForSleep(true)`) and `loginctl
    //! lock-session` (`Lock` on the session's object). A bus or service that
    //! is missing simply means that signal never comes.

    use futures_util::StreamExt;
    use tauri::{AppHandle, Manager, Runtime};
    use zbus::message::Type;
    use zbus::{Connection, MatchRule, MessageStream};

    use crate::state::AppState;

    /// Screensaver interfaces that send `ActiveChanged(bool)`.
    const SCREENSAVERS: &[&str] = &[
        "org.freedesktop.ScreenSaver",
        "org.gnome.ScreenSaver",
        "org.cinnamon.ScreenSaver",
        "org.mate.ScreenSaver",
    ];

    pub fn start<R: Runtime>(app: &AppHandle<R>) {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            if let Ok(bus) = Connection::session().await {
                for interface in SCREENSAVERS {
                    watch(&bus, &app, interface, "ActiveChanged", None, true);
                }
            }
            if let Ok(bus) = Connection::system().await {
                watch(
                    &bus,
                    &app,
                    "org.freedesktop.login1.Manager",
                    "PrepareForSleep",
                    None,
                    true,
                );
                if let Some(session) = own_session(&bus).await {
                    watch(
                        &bus,
                        &app,
                        "org.freedesktop.login1.Session",
                        "Lock",
                        Some(session),
                        false,
                    );
                }
            }
        });
    }

    /// The logind session this process belongs to.
    async fn own_session(bus: &Connection) -> Option<zbus::zvariant::OwnedObjectPath> {
        let reply = bus
            .call_method(
                Some("org.freedesktop.login1"),
                "/org/freedesktop/login1",
                Some("org.freedesktop.login1.Manager"),
                "GetSessionByPID",
                &(std::process::id()),
            )
            .await
            .ok()?;
        reply.body().deserialize().ok()
    }

    /// Locks on every `interface.member` signal (at `path`, if given); when
    /// `flag`, only on those whose boolean argument is true (screen locked,
    /// going to sleep), not the false that follows.
    fn watch<R: Runtime>(
        bus: &Connection,
        app: &AppHandle<R>,
        interface: &'static str,
        member: &'static str,
        path: Option<zbus::zvariant::OwnedObjectPath>,
        flag: bool,
    ) {
        let bus = bus.clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let rule = || -> zbus::Result<zbus::OwnedMatchRule> {
                let mut builder = MatchRule::builder()
                    .msg_type(Type::Signal)
                    .interface(interface)?
                    .member(member)?;
                if let Some(path) = &path {
                    builder = builder.path(path.clone())?;
                }
                Ok(builder.build().into())
            };
            let Ok(rule) = rule() else { return };
            let Ok(mut stream) = MessageStream::for_match_rule(rule, &bus, Some(16)).await else {
                return;
            };
            while let Some(Ok(message)) = stream.next().await {
                let applies = !flag || message.body().deserialize::<bool>().unwrap_or(false);
                if applies {
                    app.state::<AppState>().lock_for_system();
                }
            }
        });
    }
}
