//! WebKitGTK tuning for Tessera's one small, local page, which draws a list
//! of codes and nothing more: no GPU compositing, no media, no caches for
//! pages it will never revisit, and none of a browser's context menu
//! (Back, Forward, Reload). Measured with `app::bench` (launch to the
//! first code, PSS of the process tree). Linux only: elsewhere the system
//! webview is left as it is.

/// Rendering settings WebKitGTK, JavaScriptCore and GDK read from the
/// environment once, as they start: set before GTK initialises (the first
/// thing `run` does, while the process has one thread), and inherited by
/// WebKit's web and network processes. A value the user set is kept, so
/// `WEBKIT_DISABLE_COMPOSITING_MODE=0` turns GPU compositing back on.
///
/// Each setting takes memory off the process tree; what each saved is in
/// docs/benchmarks.md (History, app memory).
#[cfg(target_os = "linux")]
pub fn prepare_environment() {
    for (name, value) in environment_settings(|name| std::env::var_os(name)) {
        std::env::set_var(name, value);
    }
}

/// The settings [`prepare_environment`] makes, given the environment as it
/// is (`current`): those the user has not set.
#[cfg(target_os = "linux")]
fn environment_settings(
    current: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Vec<(&'static str, &'static str)> {
    const SETTINGS: [(&str, &str); 5] = [
        // The page is a list that changes once a second; composited layers
        // buy nothing for it. Without them the web process keeps no GPU
        // tiles, most of its memory otherwise. A snapshot then waits for the next paint, which a still page never
        // makes: the WebDriver tests' screenshots nudge one.
        (COMPOSITING_OFF, "1"),
        // Nor is there anything to hand the compositor as GPU buffers.
        (DMABUF_OFF, "1"),
        // Skia draws a list of text as fast on the CPU, without a GL
        // context and its buffers in the web process.
        ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
        // GTK's own OpenGL support is for GL widgets; the app has none.
        ("GDK_GL", "disable"),
        // A few hundred lines of script need no JIT compiler: without it
        // the web process maps no writable-and-executable memory (less for
        // a hostile page to aim at) and keeps no compiled code. A tick of
        // 1,000 accounts still takes about 20 ms (`app::bench`).
        ("JSC_useJIT", "0"),
    ];
    let mut settings: Vec<_> = SETTINGS
        .into_iter()
        .filter(|(name, _)| current(name).is_none())
        .collect();
    // WebKit reads "0" as "no" and any other value as "yes".
    let in_effect = |name: &str| match current(name) {
        Some(value) => value != "0",
        None => settings
            .iter()
            .any(|(set, value)| *set == name && *value != "0"),
    };
    if in_effect(COMPOSITING_OFF) && in_effect(DMABUF_OFF) && current(RENDER_DEVICE).is_none() {
        settings.push((RENDER_DEVICE, NO_RENDER_DEVICE));
    }
    settings
}

#[cfg(target_os = "linux")]
const COMPOSITING_OFF: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
#[cfg(target_os = "linux")]
const DMABUF_OFF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
/// The GPU WebKit's web process is to use, by its DRM node path.
#[cfg(target_os = "linux")]
const RENDER_DEVICE: &str = "WEBKIT_WEB_RENDER_DEVICE_FILE";

/// [`RENDER_DEVICE`]'s value when the page draws on the CPU: a name that
/// is no DRM node. Unset, WebKit's app-side process opens an EGL display
/// only to find the GPU to name to the web process, and so maps Mesa and
/// its LLVM (20 MiB PSS on llvmpipe). With compositing and DMA-BUF off the web process never
/// draws on that GPU; it matches the value against the system's DRM nodes
/// (WebCore's `DRMDeviceManager::initializeMainDevice`), finds none, and
/// opens the display it needs without one, as it does on a machine with
/// no GPU. `app::the_app_process_loads_no_gl_driver` holds this.
#[cfg(target_os = "linux")]
const NO_RENDER_DEVICE: &str = "none";

#[cfg(not(target_os = "linux"))]
pub fn prepare_environment() {}

/// The items of WebKit's menu a text field keeps: editing its text, and
/// nothing that navigates, reloads or inspects the page.
#[cfg(target_os = "linux")]
fn editing_action(action: webkit2gtk::ContextMenuAction) -> bool {
    use webkit2gtk::ContextMenuAction as A;
    matches!(
        action,
        A::Cut | A::Copy | A::Paste | A::PasteAsPlainText | A::Delete | A::SelectAll
    )
}

/// Turns off what the page never uses, once its webview exists.
#[cfg(target_os = "linux")]
pub fn tune<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
        let view = webview.inner();
        // WebKit's own menu offers Back, Forward and Reload, which would
        // reload the whole app: only a text field's editing items are left,
        // and elsewhere the page shows its own menu (account rows) or none.
        view.connect_context_menu(|_, menu, _, hit| {
            use webkit2gtk::{ContextMenuExt, ContextMenuItemExt, HitTestResultExt};
            if !hit.context_is_editable() {
                return true;
            }
            for item in menu.items() {
                if !editing_action(item.stock_action()) {
                    menu.remove(&item);
                }
            }
            // Handled (no menu) when nothing is left.
            menu.items().is_empty()
        });
        if let Some(settings) = WebViewExt::settings(&view) {
            // No 3D, audio, video or camera in the page (webcam frames come
            // from Rust as images): each of these would start GStreamer or a
            // GL context in the web process on first use.
            settings.set_enable_webgl(false);
            settings.set_enable_webaudio(false);
            settings.set_enable_media(false);
            settings.set_enable_media_stream(false);
            settings.set_enable_mediasource(false);
            settings.set_enable_encrypted_media(false);
            settings.set_enable_webrtc(false);
            // One page that never navigates: keeping it for "back" only
            // holds a second copy of its DOM.
            settings.set_enable_page_cache(false);
            // Nothing is stored in the webview (settings live in Rust), and
            // there is no network to prefetch from.
            settings.set_enable_html5_database(false);
            settings.set_enable_dns_prefetching(false);
            // Quirks are for other people's sites; this page is our own.
            settings.set_enable_site_specific_quirks(false);
            // The page opens no windows, and swiping must not navigate away
            // from the only page there is.
            settings.set_javascript_can_open_windows_automatically(false);
            settings.set_enable_back_forward_navigation_gestures(false);
            // The inspector only in debug builds (wry turns it on there).
            settings.set_enable_developer_extras(cfg!(debug_assertions));
        }
        if let Some(context) = view.context() {
            // The smallest memory and disk caches: everything the page loads
            // comes from the binary, once.
            context.set_cache_model(CacheModel::DocumentViewer);
            // Spell checking would load dictionaries for fields that hold
            // passwords, codes and account names.
            context.set_spell_checking_enabled(false);
        }
    });
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn settings_with(user: &[(&str, &str)]) -> Vec<(&'static str, &'static str)> {
        environment_settings(|name| {
            user.iter()
                .find(|(set, _)| *set == name)
                .map(|(_, value)| OsString::from(value))
        })
    }

    fn value<'a>(settings: &'a [(&str, &'a str)], name: &str) -> Option<&'a str> {
        settings
            .iter()
            .find(|(set, _)| *set == name)
            .map(|(_, value)| *value)
    }

    #[test]
    fn a_text_field_keeps_only_editing_items_and_never_reload() {
        use webkit2gtk::ContextMenuAction as A;
        for kept in [A::Cut, A::Copy, A::Paste, A::SelectAll] {
            assert!(editing_action(kept), "{kept:?}");
        }
        for dropped in [
            A::Reload,
            A::GoBack,
            A::GoForward,
            A::Stop,
            A::InspectElement,
        ] {
            assert!(!editing_action(dropped), "{dropped:?}");
        }
    }

    #[test]
    fn a_bare_environment_gets_every_setting_and_no_render_device() {
        let settings = settings_with(&[]);
        assert_eq!(settings.len(), 6);
        assert_eq!(value(&settings, COMPOSITING_OFF), Some("1"));
        assert_eq!(value(&settings, "JSC_useJIT"), Some("0"));
        assert_eq!(value(&settings, RENDER_DEVICE), Some(NO_RENDER_DEVICE));
    }

    #[test]
    fn what_the_user_set_is_kept() {
        let settings =
            settings_with(&[("JSC_useJIT", "1"), (RENDER_DEVICE, "/dev/dri/renderD129")]);
        assert_eq!(value(&settings, "JSC_useJIT"), None);
        assert_eq!(value(&settings, RENDER_DEVICE), None);
        assert_eq!(value(&settings, DMABUF_OFF), Some("1"));
    }

    #[test]
    fn gpu_compositing_turned_back_on_leaves_the_gpu_choice_to_webkit() {
        for user in [[(COMPOSITING_OFF, "0")], [(DMABUF_OFF, "0")]] {
            let settings = settings_with(&user);
            assert_eq!(value(&settings, RENDER_DEVICE), None, "{user:?}");
        }
        // Any other value means "off" to WebKit, as "1" does.
        let settings = settings_with(&[(COMPOSITING_OFF, "yes")]);
        assert_eq!(value(&settings, RENDER_DEVICE), Some(NO_RENDER_DEVICE));
    }
}
