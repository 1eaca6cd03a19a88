//! Helpers shared by the integration tests.

pub mod synthetic_camera;
pub mod synthetic_screen;
pub mod x11_window;
