//! A real X11 window showing a picture, for screen-capture tests: what a
//! browser showing an enrollment page amounts to, as far as the screen
//! scanner can tell.

#![allow(dead_code)]

use image::{GrayImage, RgbImage};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::xproto::{
    ConnectionExt, CreateGCAux, CreateWindowAux, EventMask, ImageFormat, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// A mapped window; it closes when dropped.
pub struct ShownImage {
    connection: RustConnection,
    window: u32,
}

impl Drop for ShownImage {
    fn drop(&mut self) {
        let _ = self.connection.destroy_window(self.window);
        let _ = self.connection.flush();
    }
}

/// Opens a window at (`left`, `top`) on the `DISPLAY` screen showing
/// `picture`, and returns once the X server has drawn it.
pub fn show_image(
    picture: &GrayImage,
    left: i16,
    top: i16,
) -> Result<ShownImage, Box<dyn std::error::Error>> {
    show_rgb_image(
        &RgbImage::from_fn(picture.width(), picture.height(), |x, y| {
            let [value] = picture.get_pixel(x, y).0;
            image::Rgb([value; 3])
        }),
        left,
        top,
    )
}

/// [`show_image`] in colour.
pub fn show_rgb_image(
    picture: &RgbImage,
    left: i16,
    top: i16,
) -> Result<ShownImage, Box<dyn std::error::Error>> {
    let (connection, screen_number) = x11rb::connect(None)?;
    let screen = &connection.setup().roots[screen_number];
    if screen.root_depth != 24 {
        return Err(format!(
            "expected a 24-bit screen, found depth {}",
            screen.root_depth
        )
        .into());
    }
    let (width, height) = (picture.width() as u16, picture.height() as u16);
    let window = connection.generate_id()?;
    connection.create_window(
        screen.root_depth,
        window,
        screen.root,
        left,
        top,
        width,
        height,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .background_pixel(screen.white_pixel)
            // No window manager on Xvfb: keep it where it is put.
            .override_redirect(1)
            .event_mask(EventMask::EXPOSURE),
    )?;
    let graphics = connection.generate_id()?;
    connection.create_gc(graphics, window, &CreateGCAux::new())?;
    connection.map_window(window)?;
    connection.flush()?;
    // Wait until the window is visible, then draw.
    loop {
        if let Event::Expose(_) = connection.wait_for_event()? {
            break;
        }
    }
    // ZPixmap at depth 24 is 32 bits per pixel, BGRX.
    let mut pixels = Vec::with_capacity(picture.as_raw().len() / 3 * 4);
    for &image::Rgb([red, green, blue]) in picture.pixels() {
        pixels.extend_from_slice(&[blue, green, red, 0]);
    }
    // Requests are size-limited: send bands of rows.
    let max_request_bytes = connection
        .maximum_request_bytes()
        .saturating_sub(64)
        .max(4 * usize::from(width));
    let rows_per_band = (max_request_bytes / (4 * usize::from(width))).max(1);
    for (band, chunk) in pixels
        .chunks(rows_per_band * 4 * usize::from(width))
        .enumerate()
    {
        let rows = chunk.len() / (4 * usize::from(width));
        connection.put_image(
            ImageFormat::Z_PIXMAP,
            window,
            graphics,
            width,
            rows as u16,
            0,
            (band * rows_per_band) as i16,
            0,
            24,
            chunk,
        )?;
    }
    // A round trip makes sure the server has processed every request.
    connection.sync()?;
    Ok(ShownImage { connection, window })
}

/// An extra RandR monitor on the display; deleted when dropped.
pub struct ExtraMonitor {
    connection: RustConnection,
    root: u32,
    name: u32,
}

impl Drop for ExtraMonitor {
    fn drop(&mut self) {
        use x11rb::protocol::randr::ConnectionExt as _;
        let _ = self.connection.randr_delete_monitor(self.root, self.name);
        let _ = self.connection.sync();
    }
}

/// Declares a monitor called `name` covering the given rectangle of the
/// root window, as `xrandr --setmonitor` does.
pub fn add_monitor(
    name: &str,
    left: i16,
    top: i16,
    width: u16,
    height: u16,
) -> Result<ExtraMonitor, Box<dyn std::error::Error>> {
    use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
    let (connection, screen_number) = x11rb::connect(None)?;
    let root = connection.setup().roots[screen_number].root;
    connection.randr_query_version(1, 5)?.reply()?;
    let name = connection
        .intern_atom(false, name.as_bytes())?
        .reply()?
        .atom;
    connection
        .randr_set_monitor(
            root,
            MonitorInfo {
                name,
                primary: false,
                automatic: false,
                x: left,
                y: top,
                width,
                height,
                width_in_millimeters: u32::from(width) / 4,
                height_in_millimeters: u32::from(height) / 4,
                outputs: Vec::new(),
            },
        )?
        .check()?;
    Ok(ExtraMonitor {
        connection,
        root,
        name,
    })
}
