//! Light or dark: the page's colours follow the choice in Settings
//! (`desktop_settings::Theme`), and for "System" the desktop's preference.
//! That preference is the xdg-desktop-portal's `org.freedesktop.appearance`
//! `color-scheme` where a portal answers with one, else GTK's (a dark
//! `GTK_THEME`, a theme name ending in "-dark", or
//! `gtk-application-prefer-dark-theme`). WebKit's own `prefers-color-scheme`
//! reads only GTK, cannot be told "light" under a dark GTK theme, and knows
//! nothing of the portal, so Rust decides and the page draws what it is
//! told: at start (`current_theme`), and when the choice, the portal's
//! setting or GTK's theme changes (a script setting `data-theme`).

use serde::Serialize;
use tauri::{AppHandle, Listener, Manager, Runtime};
use ts_rs::TS;

use crate::desktop_settings::{self, Theme};

/// The colours the page draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Shade {
    /// Dark text on a light page.
    Light,
    /// Light text on a dark page.
    Dark,
}

impl Shade {
    fn name(self) -> &'static str {
        match self {
            Shade::Light => "light",
            Shade::Dark => "dark",
        }
    }
}

/// The portal's `color-scheme`: 1 prefers dark, 2 prefers light, 0 (or
/// anything else) states no preference.
pub fn portal_shade(color_scheme: u32) -> Option<Shade> {
    match color_scheme {
        1 => Some(Shade::Dark),
        2 => Some(Shade::Light),
        _ => None,
    }
}

/// Whether GTK draws dark: `GTK_THEME` (which overrides the theme, as in
/// "Adwaita:dark"), the theme's name ("Adwaita-dark"), or the
/// application-prefers-dark setting.
pub fn gtk_is_dark(
    gtk_theme_env: Option<&str>,
    theme_name: Option<&str>,
    prefer_dark: bool,
) -> bool {
    let dark_name = |name: &str| {
        let name = name.trim().to_ascii_lowercase();
        name.ends_with(":dark") || name.ends_with("-dark") || name.ends_with("-darker")
    };
    match gtk_theme_env.filter(|env| !env.trim().is_empty()) {
        // GTK_THEME replaces the theme and its variant outright.
        Some(env) => dark_name(env) || prefer_dark,
        None => theme_name.is_some_and(dark_name) || prefer_dark,
    }
}

/// The shade for a choice: Light and Dark as chosen; System as the portal
/// says, else as GTK draws (`gtk_dark`, asked only then).
pub fn resolve(choice: Theme, portal: Option<Shade>, gtk_dark: impl FnOnce() -> bool) -> Shade {
    match choice {
        Theme::Light => Shade::Light,
        Theme::Dark => Shade::Dark,
        Theme::System => portal.unwrap_or_else(|| {
            if gtk_dark() {
                Shade::Dark
            } else {
                Shade::Light
            }
        }),
    }
}

/// The shade the page is to draw with now.
pub async fn current<R: Runtime>(app: &AppHandle<R>) -> Shade {
    let choice = desktop_settings::load().theme;
    let portal = match choice {
        Theme::System => desktop::portal_color_scheme().await.and_then(portal_shade),
        _ => None,
    };
    resolve(choice, portal, || gtk_dark(app))
}

/// GTK's preference, as the main window's GTK settings and the environment
/// give it.
fn gtk_dark<R: Runtime>(app: &AppHandle<R>) -> bool {
    let env = std::env::var("GTK_THEME").ok();
    // Tauri reads the theme name and prefer-dark from GTK's settings.
    let window_dark = app
        .get_webview_window("main")
        .and_then(|window| window.theme().ok())
        .is_some_and(|theme| theme == tauri::Theme::Dark);
    gtk_is_dark(env.as_deref(), None, window_dark)
}

/// Tells every window's page (the main one and the quick pick) the shade
/// to draw with now.
async fn apply<R: Runtime>(app: &AppHandle<R>) {
    let shade = current(app).await;
    for window in app.webview_windows().values() {
        // A page still loading asks by itself (`current_theme`).
        let _ = window.eval(format!(
            "document.documentElement.dataset.theme = \"{}\";",
            shade.name()
        ));
    }
}

/// Follows changes from now on: the choice saved in Settings, GTK's theme,
/// and the portal's `SettingChanged` signal.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    app.listen_any(desktop_settings::CHANGED_EVENT, move |_| {
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move { apply(&handle).await });
    });
    if let Some(window) = app.get_webview_window("main") {
        let handle = app.clone();
        window.on_window_event(move |event| {
            if let tauri::WindowEvent::ThemeChanged(_) = event {
                let handle = handle.clone();
                tauri::async_runtime::spawn(async move { apply(&handle).await });
            }
        });
    }
    #[cfg(target_os = "linux")]
    {
        let handle = app.clone();
        tauri::async_runtime::spawn(async move {
            desktop::watch_portal(|| {
                let handle = handle.clone();
                tauri::async_runtime::spawn(async move { apply(&handle).await });
            })
            .await;
        });
    }
}

#[cfg(target_os = "linux")]
mod desktop {
    //! The portal's Settings interface over the session bus. A bus or
    //! portal that is missing states no preference, and its signal never
    //! comes.

    use futures_util::StreamExt;
    use zbus::message::Type;
    use zbus::zvariant::{OwnedValue, Value};
    use zbus::{Connection, MatchRule, MessageStream};

    const DESTINATION: &str = "org.freedesktop.portal.Desktop";
    const PATH: &str = "/org/freedesktop/portal/desktop";
    const INTERFACE: &str = "org.freedesktop.portal.Settings";
    const NAMESPACE: &str = "org.freedesktop.appearance";
    const KEY: &str = "color-scheme";

    /// A number inside however many variants wrap it (`Read`, the older
    /// method, wraps the value once more than `ReadOne`).
    fn number(value: &Value<'_>) -> Option<u32> {
        match value {
            Value::U32(n) => Some(*n),
            Value::Value(inner) => number(inner),
            _ => None,
        }
    }

    /// The portal's `color-scheme`, if a portal answers.
    pub async fn portal_color_scheme() -> Option<u32> {
        let bus = Connection::session().await.ok()?;
        for method in ["ReadOne", "Read"] {
            let Ok(reply) = bus
                .call_method(
                    Some(DESTINATION),
                    PATH,
                    Some(INTERFACE),
                    method,
                    &(NAMESPACE, KEY),
                )
                .await
            else {
                continue;
            };
            if let Ok(value) = reply.body().deserialize::<OwnedValue>() {
                return number(&value);
            }
        }
        None
    }

    /// Calls `changed` on each change of the portal's `color-scheme`.
    pub async fn watch_portal(changed: impl Fn()) {
        let Ok(bus) = Connection::session().await else {
            return;
        };
        let rule = || -> zbus::Result<zbus::OwnedMatchRule> {
            Ok(MatchRule::builder()
                .msg_type(Type::Signal)
                .interface(INTERFACE)?
                .member("SettingChanged")?
                .build()
                .into())
        };
        let Ok(rule) = rule() else { return };
        let Ok(mut stream) = MessageStream::for_match_rule(rule, &bus, Some(16)).await else {
            return;
        };
        while let Some(Ok(message)) = stream.next().await {
            let ours = message
                .body()
                .deserialize::<(String, String, OwnedValue)>()
                .is_ok_and(|(namespace, key, _)| namespace == NAMESPACE && key == KEY);
            if ours {
                changed();
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod desktop {
    //! No portal: the window system's theme alone.

    pub async fn portal_color_scheme() -> Option<u32> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_wins_over_the_desktop() {
        assert_eq!(
            resolve(Theme::Light, Some(Shade::Dark), || true),
            Shade::Light
        );
        assert_eq!(
            resolve(Theme::Dark, Some(Shade::Light), || false),
            Shade::Dark
        );
    }

    #[test]
    fn system_follows_the_portal_then_gtk() {
        assert_eq!(
            resolve(Theme::System, portal_shade(1), || false),
            Shade::Dark
        );
        assert_eq!(
            resolve(Theme::System, portal_shade(2), || true),
            Shade::Light
        );
        // No preference at the portal (0), or no portal: GTK decides.
        assert_eq!(
            resolve(Theme::System, portal_shade(0), || true),
            Shade::Dark
        );
        assert_eq!(resolve(Theme::System, None, || false), Shade::Light);
    }

    #[test]
    fn gtk_is_dark_by_its_theme_variable_name_or_preference() {
        assert!(gtk_is_dark(Some("Adwaita:dark"), None, false));
        assert!(gtk_is_dark(None, Some("Adwaita-dark"), false));
        assert!(gtk_is_dark(None, Some("Arc-Darker"), false));
        assert!(gtk_is_dark(None, Some("Adwaita"), true));
        assert!(!gtk_is_dark(None, Some("Adwaita"), false));
        // GTK_THEME replaces the theme the settings name.
        assert!(!gtk_is_dark(Some("Adwaita"), Some("Adwaita-dark"), false));
        assert!(!gtk_is_dark(Some(""), None, false));
    }
}
