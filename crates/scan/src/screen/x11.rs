//! X11 capture over the wire protocol, in pure Rust.
//!
//! x11rb's `RustConnection` speaks to the X server over its socket without
//! libxcb, so a binary with screen capture links no X library (see the
//! parent module for why that matters). The monitors come from RandR 1.5
//! (`GetMonitors`), or the root window's size when the server has no RandR;
//! each one is read from the root window with `GetImage` and turned into
//! grey right away, as the decoder only needs grey.

use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage};
use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::{ConnectError, ConnectionError, ReplyError};
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{
    ConnectionExt as _, ImageFormat, ImageOrder, MapState, Screen, Setup, VisualClass, Visualid,
};
use x11rb::rust_connection::RustConnection;

use super::Screenshot;
use crate::source::{ImageLimits, SourceError};

/// About this many bytes of pixels per `GetImage` reply. The X protocol
/// has no limit on reply sizes, but strips are faster (measured on Xvfb at
/// 1920×1080: 9 ms in 512 KiB strips, 12 ms in 1 MiB, 27 ms in 4 MiB, 29 ms
/// in one piece, as small replies stay in the CPU caches and x11rb reads
/// them without growing its buffer), and they keep the peak memory near one
/// strip plus the grey picture instead of four bytes a pixel for the whole
/// monitor (132 MB for an 8K screen).
const STRIP_BYTES: usize = 512 << 10;

/// Why the X server could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum X11Error {
    /// No connection to the display named by `DISPLAY`.
    #[error("cannot connect to the X display {display}: {source}")]
    Connect {
        /// The `DISPLAY` value.
        display: String,
        /// What x11rb said.
        #[source]
        source: ConnectError,
    },
    /// The connection broke, or the server refused a request.
    #[error("the X server failed: {0}")]
    Request(#[from] ReplyError),
    /// The root window's pixels are in a form this reader does not know
    /// (colour-mapped 8-bit screens, exotic depths).
    #[error("the X screen uses an unsupported pixel format ({0})")]
    UnsupportedFormat(String),
}

impl From<ConnectionError> for X11Error {
    fn from(error: ConnectionError) -> Self {
        X11Error::Request(error.into())
    }
}

impl From<X11Error> for SourceError {
    fn from(error: X11Error) -> Self {
        SourceError::ScreenCaptureFailed {
            reason: error.to_string(),
        }
    }
}

/// A monitor's rectangle on the root window.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Monitor {
    name: String,
    x: i16,
    y: i16,
    width: u16,
    height: u16,
}

/// Captures every monitor of the X display named by `DISPLAY`.
pub(super) fn capture(limits: &ImageLimits) -> Result<Vec<Screenshot>, SourceError> {
    let (connection, screen_number) =
        RustConnection::connect(None).map_err(|source| X11Error::Connect {
            display: std::env::var("DISPLAY").unwrap_or_default(),
            source,
        })?;
    let setup = connection.setup();
    let screen = setup
        .roots
        .get(screen_number)
        .ok_or_else(|| X11Error::UnsupportedFormat(format!("no screen {screen_number}")))?;
    let monitors = monitors(&connection, screen)?;
    let mut screenshots = Vec::with_capacity(monitors.len());
    for monitor in monitors {
        // Before asking for any pixels: a monitor over the limits is refused,
        // not read.
        limits.check_dimensions(monitor.width.into(), monitor.height.into())?;
        let image = read_rectangle(&connection, setup, screen, &monitor)?;
        screenshots.push(Screenshot {
            monitor: monitor.name,
            origin: (monitor.x.into(), monitor.y.into()),
            image: DynamicImage::ImageLuma8(image),
        });
    }
    Ok(screenshots)
}

/// The monitors RandR knows, clipped to the root window; the whole root
/// window when RandR is missing, older than 1.5 or lists none.
fn monitors(connection: &RustConnection, screen: &Screen) -> Result<Vec<Monitor>, X11Error> {
    let whole_screen = Monitor {
        name: "screen".into(),
        x: 0,
        y: 0,
        width: screen.width_in_pixels,
        height: screen.height_in_pixels,
    };
    if connection
        .extension_information(randr::X11_EXTENSION_NAME)?
        .is_none()
    {
        return Ok(vec![whole_screen]);
    }
    let version = connection.randr_query_version(1, 5)?.reply()?;
    if (version.major_version, version.minor_version) < (1, 5) {
        return Ok(vec![whole_screen]);
    }
    let reply = connection.randr_get_monitors(screen.root, true)?.reply()?;
    // Ask for every name before waiting for any answer: one round trip.
    let name_cookies = reply
        .monitors
        .iter()
        .map(|monitor| connection.get_atom_name(monitor.name))
        .collect::<Result<Vec<_>, _>>()?;
    let mut monitors = Vec::with_capacity(reply.monitors.len());
    for (number, (info, cookie)) in reply.monitors.iter().zip(name_cookies).enumerate() {
        let name = cookie
            .reply()
            .ok()
            .map(|atom| String::from_utf8_lossy(&atom.name).into_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| format!("monitor {}", number + 1));
        if let Some(monitor) = clip(name, info, screen) {
            monitors.push(monitor);
        }
    }
    if monitors.is_empty() {
        monitors.push(whole_screen);
    }
    Ok(monitors)
}

/// The part of a RandR monitor inside the root window, if any: `GetImage`
/// fails on a rectangle reaching outside its drawable, and a monitor can
/// be declared anywhere.
fn clip(name: String, info: &randr::MonitorInfo, screen: &Screen) -> Option<Monitor> {
    let left = i32::from(info.x).max(0);
    let top = i32::from(info.y).max(0);
    let right = (i32::from(info.x) + i32::from(info.width)).min(screen.width_in_pixels.into());
    let bottom = (i32::from(info.y) + i32::from(info.height)).min(screen.height_in_pixels.into());
    if right <= left || bottom <= top {
        return None;
    }
    // Every value is within 0..=u16::MAX here, as the root window's size is.
    Some(Monitor {
        name,
        x: i16::try_from(left).ok()?,
        y: i16::try_from(top).ok()?,
        width: u16::try_from(right - left).ok()?,
        height: u16::try_from(bottom - top).ok()?,
    })
}

/// Reads `monitor`'s rectangle of the root window as grey, in strips of
/// about [`STRIP_BYTES`], with the next strip always asked for before the
/// current one is converted, so the server works while this side does.
fn read_rectangle(
    connection: &RustConnection,
    setup: &Setup,
    screen: &Screen,
    monitor: &Monitor,
) -> Result<GrayImage, X11Error> {
    let (width, height) = (usize::from(monitor.width), usize::from(monitor.height));
    let rows_per_strip = (STRIP_BYTES / (4 * width).max(1)).clamp(1, height.max(1));
    // Each strip as (first row, rows); both fit in u16, as the monitor lies
    // inside the root window, whose sides are u16.
    let mut strips = (0..height)
        .step_by(rows_per_strip)
        .map(|row| (row, rows_per_strip.min(height - row)));
    let request = |(row, rows): (usize, usize)| {
        connection.get_image(
            ImageFormat::Z_PIXMAP,
            screen.root,
            monitor.x,
            (i32::from(monitor.y) + row as i32) as i16,
            monitor.width,
            rows as u16,
            u32::MAX,
        )
    };
    let mut grey = Vec::with_capacity(width * height);
    let mut layout: Option<(Visualid, u8, PixelLayout)> = None;
    let mut next = strips
        .next()
        .map(|strip| Ok::<_, X11Error>((strip, request(strip)?)));
    while let Some(current) = next.take() {
        let ((_, rows), cookie) = current?;
        next = strips
            .next()
            .map(|strip| Ok::<_, X11Error>((strip, request(strip)?)));
        let reply = cookie.reply()?;
        // The visual is the same for every strip of one window; look it up
        // once.
        let current = match &layout {
            Some((visual, depth, layout)) if *visual == reply.visual && *depth == reply.depth => {
                layout
            }
            _ => {
                let found = PixelLayout::find(setup, screen, reply.visual, reply.depth)?;
                &layout.insert((reply.visual, reply.depth, found)).2
            }
        };
        current.to_grey(&reply.data, width, rows, &mut grey)?;
    }
    GrayImage::from_raw(monitor.width.into(), monitor.height.into(), grey).ok_or_else(|| {
        X11Error::UnsupportedFormat("the server sent fewer pixels than asked for".into())
    })
}

/// Waits until the X server no longer shows `window` (an X window id), at
/// most `timeout`: the app hides its own window before a capture, and the
/// hide reaches the server asynchronously. Then waits `settle` more, as the
/// windows it uncovered redraw themselves after the server tells them to
/// (and a compositing manager, if one runs, repaints after that), which
/// nothing in the protocol reports. True once the window is gone from the
/// screen; false if it was still shown at the deadline.
pub(super) fn wait_until_unmapped(
    window: u32,
    timeout: Duration,
    settle: Duration,
) -> Result<bool, SourceError> {
    let (connection, screen_number) =
        RustConnection::connect(None).map_err(|source| X11Error::Connect {
            display: std::env::var("DISPLAY").unwrap_or_default(),
            source,
        })?;
    let deadline = Instant::now() + timeout;
    let hidden = loop {
        let cookie = connection
            .get_window_attributes(window)
            .map_err(X11Error::from)?;
        match cookie.reply() {
            Ok(attributes) if attributes.map_state != MapState::VIEWABLE => break true,
            Ok(_) => {}
            // A window that no longer exists is not on the screen either.
            Err(ReplyError::X11Error(_)) => break true,
            Err(error) => return Err(X11Error::from(error).into()),
        }
        if Instant::now() >= deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if hidden {
        // A compositor paints the uncovered area later still: twice the
        // time then.
        let compositor = compositing(&connection, screen_number).unwrap_or(false);
        std::thread::sleep(if compositor { settle * 2 } else { settle });
    }
    Ok(hidden)
}

/// Whether a compositing manager runs on the screen (it owns the
/// `_NET_WM_CM_Sn` selection, by the EWMH convention).
fn compositing(connection: &RustConnection, screen_number: usize) -> Result<bool, X11Error> {
    let name = format!("_NET_WM_CM_S{screen_number}");
    let atom = connection.intern_atom(true, name.as_bytes())?.reply()?.atom;
    if atom == x11rb::NONE {
        return Ok(false);
    }
    Ok(connection.get_selection_owner(atom)?.reply()?.owner != x11rb::NONE)
}

/// One colour channel of a true-colour pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Channel {
    mask: u32,
    shift: u32,
    /// The channel's largest value once shifted down (255 for 8 bits).
    max: u32,
}

impl Channel {
    /// The channel a visual's mask describes; `None` for an empty or
    /// non-contiguous mask.
    fn new(mask: u32) -> Option<Channel> {
        if mask == 0 {
            return None;
        }
        let shift = mask.trailing_zeros();
        let max = mask >> shift;
        // Contiguous masks are a run of ones: max + 1 is a power of two.
        if max.checked_add(1).is_some_and(u32::is_power_of_two) || max == u32::MAX {
            Some(Channel { mask, shift, max })
        } else {
            None
        }
    }

    /// The channel's value in `pixel`, scaled to 0–255.
    #[inline]
    fn value(self, pixel: u32) -> u32 {
        let value = (pixel & self.mask) >> self.shift;
        if self.max == 255 {
            value
        } else {
            // u64: a wide channel times 255 overflows u32.
            (u64::from(value) * 255 / u64::from(self.max)) as u32
        }
    }
}

/// How a `ZPixmap` image of one visual and depth is laid out in the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PixelLayout {
    /// 1, 2, 3 or 4 (8, 16, 24 or 32 bits a pixel).
    bytes_per_pixel: usize,
    /// Rows are padded to a multiple of this many bits.
    scanline_pad: usize,
    /// Whether multi-byte pixels are sent most significant byte first.
    msb_first: bool,
    red: Channel,
    green: Channel,
    blue: Channel,
}

impl PixelLayout {
    /// The layout of `visual` at `depth` on this server.
    fn find(
        setup: &Setup,
        screen: &Screen,
        visual: Visualid,
        depth: u8,
    ) -> Result<PixelLayout, X11Error> {
        let unsupported = |what: String| X11Error::UnsupportedFormat(what);
        let format = setup
            .pixmap_formats
            .iter()
            .find(|format| format.depth == depth)
            .ok_or_else(|| unsupported(format!("no pixmap format for depth {depth}")))?;
        let visual_type = screen
            .allowed_depths
            .iter()
            .flat_map(|allowed| allowed.visuals.iter())
            .find(|visual_type| visual_type.visual_id == visual)
            .ok_or_else(|| unsupported(format!("unknown visual {visual:#x}")))?;
        // Colour-mapped visuals would need the colormap read back; desktops
        // have not used them in decades.
        if visual_type.class != VisualClass::TRUE_COLOR
            && visual_type.class != VisualClass::DIRECT_COLOR
        {
            return Err(unsupported(format!(
                "depth {depth} with a colour-mapped visual"
            )));
        }
        let bytes_per_pixel = match format.bits_per_pixel {
            8 => 1,
            16 => 2,
            24 => 3,
            32 => 4,
            bits => return Err(unsupported(format!("{bits} bits a pixel"))),
        };
        let channel = |mask: u32| {
            Channel::new(mask)
                .ok_or_else(|| unsupported(format!("colour mask {mask:#x} at depth {depth}")))
        };
        Ok(PixelLayout {
            bytes_per_pixel,
            scanline_pad: usize::from(format.scanline_pad).max(8),
            msb_first: setup.image_byte_order == ImageOrder::MSB_FIRST,
            red: channel(visual_type.red_mask)?,
            green: channel(visual_type.green_mask)?,
            blue: channel(visual_type.blue_mask)?,
        })
    }

    /// Bytes from one row's start to the next for `width` pixels.
    fn stride(&self, width: usize) -> usize {
        let bits = width * self.bytes_per_pixel * 8;
        bits.div_ceil(self.scanline_pad) * self.scanline_pad / 8
    }

    /// Appends the grey values of `rows` rows of `width` pixels in `data`
    /// to `grey`, with the weights the `image` crate uses (Rec. 709), so a
    /// capture decodes as the same picture saved and loaded would.
    fn to_grey(
        &self,
        data: &[u8],
        width: usize,
        rows: usize,
        grey: &mut Vec<u8>,
    ) -> Result<(), X11Error> {
        let stride = self.stride(width);
        if data.len() < stride * rows {
            return Err(X11Error::UnsupportedFormat(format!(
                "the server sent {} bytes for {rows} rows of {width} pixels",
                data.len()
            )));
        }
        let luma = |pixel: u32| {
            let l = 2126 * self.red.value(pixel)
                + 7152 * self.green.value(pixel)
                + 722 * self.blue.value(pixel);
            (l / 10_000) as u8
        };
        let size = self.bytes_per_pixel;
        for row in data.chunks_exact(stride).take(rows) {
            let pixels = row[..width * size].chunks_exact(size);
            // One loop per byte order and size, so the common case (32-bit
            // little-endian, what every PC X server sends) is a plain load.
            match (size, self.msb_first) {
                (4, false) => {
                    grey.extend(pixels.map(|p| luma(u32::from_le_bytes([p[0], p[1], p[2], p[3]]))))
                }
                (4, true) => {
                    grey.extend(pixels.map(|p| luma(u32::from_be_bytes([p[0], p[1], p[2], p[3]]))))
                }
                (_, false) => grey.extend(pixels.map(|p| {
                    luma(
                        p.iter()
                            .rev()
                            .fold(0, |value, &byte| value << 8 | u32::from(byte)),
                    )
                })),
                (_, true) => grey.extend(pixels.map(|p| {
                    luma(
                        p.iter()
                            .fold(0, |value, &byte| value << 8 | u32::from(byte)),
                    )
                })),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(bytes_per_pixel: usize, msb_first: bool, masks: [u32; 3]) -> PixelLayout {
        PixelLayout {
            bytes_per_pixel,
            scanline_pad: 32,
            msb_first,
            red: Channel::new(masks[0]).unwrap(),
            green: Channel::new(masks[1]).unwrap(),
            blue: Channel::new(masks[2]).unwrap(),
        }
    }

    /// What the `image` crate makes of these colours, the reference.
    fn image_grey(colours: &[[u8; 3]]) -> Vec<u8> {
        let rgb = image::RgbImage::from_fn(colours.len() as u32, 1, |x, _| {
            image::Rgb(colours[x as usize])
        });
        DynamicImage::ImageRgb8(rgb).to_luma8().into_raw()
    }

    const COLOURS: [[u8; 3]; 5] = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 255],
        [12, 200, 77],
    ];

    #[test]
    fn bgrx_little_endian_matches_the_image_crate() {
        // Xvfb and every PC X server at depth 24: B, G, R, unused.
        let mut data = Vec::new();
        for [r, g, b] in COLOURS {
            data.extend_from_slice(&[b, g, r, 0xee]);
        }
        let mut grey = Vec::new();
        layout(4, false, [0xff_0000, 0xff00, 0xff])
            .to_grey(&data, COLOURS.len(), 1, &mut grey)
            .unwrap();
        assert_eq!(grey, image_grey(&COLOURS));
    }

    #[test]
    fn big_endian_and_packed_24_bit_pixels() {
        let mut big_endian = Vec::new();
        let mut packed = Vec::new();
        for [r, g, b] in COLOURS {
            big_endian.extend_from_slice(&[0, r, g, b]);
            packed.extend_from_slice(&[b, g, r]);
        }
        let mut grey = Vec::new();
        layout(4, true, [0xff_0000, 0xff00, 0xff])
            .to_grey(&big_endian, COLOURS.len(), 1, &mut grey)
            .unwrap();
        assert_eq!(grey, image_grey(&COLOURS));

        // 24 bits a pixel: rows padded to 32 bits (15 bytes → 16).
        packed.push(0);
        packed.extend_from_within(..);
        let mut grey = Vec::new();
        let packed_layout = layout(3, false, [0xff_0000, 0xff00, 0xff]);
        assert_eq!(packed_layout.stride(COLOURS.len()), 16);
        packed_layout
            .to_grey(&packed, COLOURS.len(), 2, &mut grey)
            .unwrap();
        assert_eq!(grey, [image_grey(&COLOURS), image_grey(&COLOURS)].concat());
    }

    #[test]
    fn rgb565_is_scaled_to_full_range() {
        // Depth 16: 5 bits red, 6 green, 5 blue, little-endian.
        let pixels: [u16; 3] = [0xf800, 0x07e0, 0xffff];
        let mut data: Vec<u8> = pixels.iter().flat_map(|p| p.to_le_bytes()).collect();
        // Six bytes, padded to 32 bits.
        data.extend_from_slice(&[0, 0]);
        let mut grey = Vec::new();
        layout(2, false, [0xf800, 0x07e0, 0x001f])
            .to_grey(&data, 3, 1, &mut grey)
            .unwrap();
        assert_eq!(
            grey,
            image_grey(&[[255, 0, 0], [0, 255, 0], [255, 255, 255]])
        );
    }

    #[test]
    fn a_short_reply_is_an_error_not_a_panic() {
        let mut grey = Vec::new();
        let error = layout(4, false, [0xff_0000, 0xff00, 0xff])
            .to_grey(&[0; 12], 4, 1, &mut grey)
            .unwrap_err();
        assert!(error.to_string().contains("12 bytes"), "{error}");
    }

    #[test]
    fn masks_must_be_contiguous() {
        assert_eq!(Channel::new(0), None);
        assert_eq!(Channel::new(0b1011), None);
        let channel = Channel::new(0x3ff << 20).unwrap();
        assert_eq!((channel.shift, channel.max), (20, 0x3ff));
        assert_eq!(channel.value(0x3ff << 20), 255);
        assert!(Channel::new(u32::MAX).is_some());
    }

    #[test]
    fn monitors_are_clipped_to_the_root_window() {
        let screen = Screen {
            width_in_pixels: 1920,
            height_in_pixels: 1080,
            ..Screen::default()
        };
        let info = |x, y, width, height| randr::MonitorInfo {
            x,
            y,
            width,
            height,
            ..randr::MonitorInfo::default()
        };
        assert_eq!(
            clip("a".into(), &info(1600, -10, 640, 480), &screen),
            Some(Monitor {
                name: "a".into(),
                x: 1600,
                y: 0,
                width: 320,
                height: 470
            })
        );
        assert_eq!(clip("b".into(), &info(1920, 0, 640, 480), &screen), None);
    }
}
