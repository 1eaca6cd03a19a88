//! Webcam scanning: hold a printout or a phone up to the camera.
//!
//! A [`CameraScanner`] runs frames through the decoder on a background
//! thread until the first frame that holds a usable enrollment, then stops
//! and releases the camera. Frames come from a [`FrameSource`]: a real
//! webcam ([`Webcam`], through nokhwa, asking for 1280×720 at 30 frames per
//! second) or [`RecordedFrames`], which is how the tests (these machines
//! have no camera) drive the very same pipeline with a sequence where the
//! code comes into focus.
//!
//! Frames are turned into grey here ([`frame_to_grey`]): the decoder only
//! needs luma, which YUYV, NV12 and grey cameras deliver without any
//! conversion, and MJPEG frames are decoded by the pure-Rust JPEG decoder
//! the `image` crate already brings, so nokhwa's C-based MJPEG decoding is
//! not needed.
//!
//! The camera is opened on the worker thread (nokhwa's camera handles are
//! not `Send` on every platform) and dropped there, so it is released when
//! the scan ends however it ends.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use image::GrayImage;

use crate::decode::{decode_with, DecodeOptions, DecodedCode};
use crate::payload::{classify, Payload, PayloadError};
use crate::source::SourceError;

/// The frame size asked of webcams: enough pixels per module for a code
/// held at arm's length, and a size every webcam since about 2010 streams
/// at 30 frames per second (as MJPEG).
pub const CAMERA_RESOLUTION: (u32, u32) = (1280, 720);

/// The frame rate asked of webcams.
pub const CAMERA_FRAME_RATE: u32 = 30;

/// How a frame's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PixelLayout {
    /// One byte of luma per pixel.
    Grey,
    /// Packed 4:2:2, `Y0 U Y1 V`: luma is every other byte.
    Yuyv,
    /// Planar 4:2:0: a full luma plane, then interleaved chroma.
    Nv12,
    /// Packed 8-bit RGB.
    Rgb,
    /// Packed 8-bit BGR.
    Bgr,
    /// A JPEG image (Motion-JPEG camera frame).
    Mjpeg,
}

/// One frame as a camera delivers it.
#[derive(Debug, Clone, Copy)]
pub struct RawFrame<'a> {
    /// The byte layout.
    pub layout: PixelLayout,
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Bytes from one row's start to the next (of the luma plane for NV12);
    /// cameras often pad rows, so this may exceed the packed row length.
    /// Ignored for MJPEG.
    pub stride: usize,
    /// The frame's bytes.
    pub bytes: &'a [u8],
}

/// Extracts the luma of a camera frame as a grey image.
pub fn frame_to_grey(frame: &RawFrame<'_>) -> Result<GrayImage, SourceError> {
    let (width, height) = (frame.width as usize, frame.height as usize);
    let bytes_per_pixel = match frame.layout {
        PixelLayout::Mjpeg => {
            let image = image::load_from_memory_with_format(frame.bytes, image::ImageFormat::Jpeg)
                .map_err(|error| SourceError::CameraFailed {
                    reason: format!("a camera frame is not a valid JPEG: {error}"),
                })?;
            return Ok(image.to_luma8());
        }
        PixelLayout::Grey | PixelLayout::Nv12 => 1,
        PixelLayout::Yuyv => 2,
        PixelLayout::Rgb | PixelLayout::Bgr => 3,
    };
    let row_bytes = width * bytes_per_pixel;
    let short = || SourceError::CameraFailed {
        reason: format!(
            "a {}x{} camera frame has {} bytes, too few for its size",
            width,
            height,
            frame.bytes.len()
        ),
    };
    if frame.stride < row_bytes || height == 0 {
        return Err(short());
    }
    // The last row need not be padded.
    let needed = frame.stride * (height - 1) + row_bytes;
    if frame.bytes.len() < needed {
        return Err(short());
    }
    let mut grey = Vec::with_capacity(width * height);
    for row in frame.bytes.chunks(frame.stride).take(height) {
        let row = &row[..row_bytes];
        match frame.layout {
            PixelLayout::Grey | PixelLayout::Nv12 => grey.extend_from_slice(row),
            PixelLayout::Yuyv => grey.extend(row.iter().step_by(2)),
            PixelLayout::Rgb => grey.extend(row.chunks_exact(3).map(|p| luma(p[0], p[1], p[2]))),
            PixelLayout::Bgr => grey.extend(row.chunks_exact(3).map(|p| luma(p[2], p[1], p[0]))),
            PixelLayout::Mjpeg => unreachable!("handled above"),
        }
    }
    Ok(GrayImage::from_raw(frame.width, frame.height, grey).expect("one byte per pixel"))
}

/// Rec. 709 luma in integer arithmetic, the weights `image` uses.
fn luma(red: u8, green: u8, blue: u8) -> u8 {
    ((2126 * u32::from(red) + 7152 * u32::from(green) + 722 * u32::from(blue) + 5000) / 10_000)
        as u8
}

/// Where a [`CameraScanner`] gets its frames.
pub trait FrameSource {
    /// Waits for and returns the next frame; `Ok(None)` when there will be
    /// no more (a recording that has run out).
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError>;
}

/// A fixed sequence of frames, played once: recorded camera frames, for
/// tests and for replaying a capture.
#[derive(Debug, Clone, Default)]
pub struct RecordedFrames {
    frames: VecDeque<GrayImage>,
    /// The time between frames when played at a camera's pace.
    interval: Option<Duration>,
    /// When the next frame may be delivered.
    next_due: Option<Instant>,
}

impl RecordedFrames {
    /// Plays `frames` in order, each as soon as it is asked for.
    pub fn new(frames: impl IntoIterator<Item = GrayImage>) -> Self {
        RecordedFrames {
            frames: frames.into_iter().collect(),
            interval: None,
            next_due: None,
        }
    }

    /// Delivers at most `fps` frames a second, as a camera does, so a
    /// preview and a stop button see the recording play out in real time
    /// (0 keeps the frames unpaced). A reader slower than that gets every
    /// frame, later: nothing is skipped.
    pub fn at_frame_rate(mut self, fps: u32) -> Self {
        self.interval = (fps > 0).then(|| Duration::from_secs(1) / fps);
        self
    }
}

impl FrameSource for RecordedFrames {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        if let Some(interval) = self.interval {
            if let Some(wait) = self
                .next_due
                .and_then(|due| due.checked_duration_since(Instant::now()))
            {
                std::thread::sleep(wait);
            }
            self.next_due = Some(Instant::now() + interval);
        }
        Ok(self.frames.pop_front())
    }
}

/// A small copy of a frame for a live preview: at most `max_width` pixels
/// wide, the aspect ratio kept. A preview needs far fewer pixels than the
/// decoder, and every one of them crosses to the user interface. Frames no
/// wider are returned as they are.
pub fn preview_frame(frame: &GrayImage, max_width: u32) -> GrayImage {
    let (width, height) = frame.dimensions();
    if max_width == 0 || width <= max_width {
        return frame.clone();
    }
    let scaled = u64::from(height) * u64::from(max_width) / u64::from(width);
    let new_height = u32::try_from(scaled).unwrap_or(u32::MAX).max(1);
    // An area average (box filter): cheap, and it smooths rather than
    // aliases the fine pattern of a QR code.
    image::imageops::thumbnail(frame, max_width, new_height)
}

/// What a [`CameraScanner`] reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum CameraEvent {
    /// A code that is not a usable enrollment is in view (reported once per
    /// distinct code); scanning goes on.
    NotEnrollment(PayloadError),
    /// An enrollment was found; the scan has stopped and the camera is
    /// released.
    Found {
        /// What the code holds.
        payload: Payload,
        /// The code, with its place in the frame.
        code: DecodedCode,
    },
    /// The camera could not be opened or failed; the scan has stopped.
    Failed(SourceError),
    /// The frames ran out, or [`CameraScanner::stop`] was called, before an
    /// enrollment was found.
    Ended,
}

/// Decodes frames on a background thread until the first usable
/// enrollment. Dropping it stops the scan and waits for the camera to be
/// released.
pub struct CameraScanner {
    stop: Arc<AtomicBool>,
    events: Receiver<CameraEvent>,
    latest_frame: Arc<Mutex<Option<Arc<GrayImage>>>>,
    frames_decoded: Arc<AtomicU64>,
    worker: Option<JoinHandle<()>>,
}

impl CameraScanner {
    /// Starts scanning frames from the source `open` makes. `open` runs on
    /// the worker thread, so a camera is opened, used and released on one
    /// thread.
    pub fn start<S, F>(open: F) -> CameraScanner
    where
        S: FrameSource,
        F: FnOnce() -> Result<S, SourceError> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let (sender, events) = mpsc::channel();
        let latest_frame = Arc::new(Mutex::new(None));
        let frames_decoded = Arc::new(AtomicU64::new(0));
        let worker = {
            let shared = Shared {
                stop: Arc::clone(&stop),
                events: sender,
                latest_frame: Arc::clone(&latest_frame),
                frames_decoded: Arc::clone(&frames_decoded),
            };
            std::thread::Builder::new()
                .name("tessera-camera-scan".into())
                .spawn(move || run_scan(open, &shared))
                .expect("spawning a thread")
        };
        CameraScanner {
            stop,
            events,
            latest_frame,
            frames_decoded,
            worker: Some(worker),
        }
    }

    /// Starts scanning with webcam number `index` (see [`list_cameras`]).
    #[cfg(feature = "camera")]
    pub fn start_webcam(index: u32) -> CameraScanner {
        CameraScanner::start(move || Webcam::open(index))
    }

    /// The scan's events. After `Found`, `Failed` or `Ended` there are no
    /// more.
    pub fn events(&self) -> &Receiver<CameraEvent> {
        &self.events
    }

    /// The most recent frame, for a preview.
    pub fn latest_frame(&self) -> Option<Arc<GrayImage>> {
        self.latest_frame
            .lock()
            .map(|frame| frame.clone())
            .unwrap_or(None)
    }

    /// How many frames have been through the decoder.
    pub fn frames_decoded(&self) -> u64 {
        self.frames_decoded.load(Ordering::Relaxed)
    }

    /// Blocks until the scan ends and returns its final event (`Found`,
    /// `Failed` or `Ended`), skipping the others.
    pub fn wait(&self) -> CameraEvent {
        for event in self.events.iter() {
            if !matches!(event, CameraEvent::NotEnrollment(_)) {
                return event;
            }
        }
        CameraEvent::Ended
    }

    /// Stops the scan and waits until the camera is released.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            // The worker contains decoder panics itself; a panic in a camera
            // backend ends the thread, which is what stopping wants anyway.
            let _ = worker.join();
        }
    }
}

impl Drop for CameraScanner {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// What the worker thread shares with its [`CameraScanner`].
struct Shared {
    stop: Arc<AtomicBool>,
    events: Sender<CameraEvent>,
    latest_frame: Arc<Mutex<Option<Arc<GrayImage>>>>,
    frames_decoded: Arc<AtomicU64>,
}

/// The worker: open, then frame after frame until found, failed, out of
/// frames or stopped. The source is dropped (the camera released) before
/// the final event is sent.
fn run_scan<S, F>(open: F, shared: &Shared)
where
    S: FrameSource,
    F: FnOnce() -> Result<S, SourceError>,
{
    let final_event = match open() {
        Ok(mut source) => scan_frames(&mut source, shared),
        Err(error) => CameraEvent::Failed(error),
    };
    // The receiver may be gone (the scanner was dropped): nothing to tell.
    let _ = shared.events.send(final_event);
}

fn scan_frames<S: FrameSource>(source: &mut S, shared: &Shared) -> CameraEvent {
    // Webcam frames are many chances: the quick passes keep up with the
    // frame rate, and the next frame is a new attempt.
    let options = DecodeOptions::quick();
    let mut reported = HashSet::new();
    while !shared.stop.load(Ordering::Relaxed) {
        let frame = match source.next_frame() {
            Ok(Some(frame)) => Arc::new(frame),
            Ok(None) => return CameraEvent::Ended,
            Err(error) => return CameraEvent::Failed(error),
        };
        if let Ok(mut latest) = shared.latest_frame.lock() {
            *latest = Some(Arc::clone(&frame));
        }
        let report = decode_with(&frame, &options);
        shared.frames_decoded.fetch_add(1, Ordering::Relaxed);
        for code in report.codes {
            match classify(&code.text) {
                Ok(payload) => return CameraEvent::Found { payload, code },
                Err(error) => {
                    if reported.insert(code.text) {
                        let _ = shared.events.send(CameraEvent::NotEnrollment(error));
                    }
                }
            }
        }
    }
    CameraEvent::Ended
}

/// A webcam the system reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraDevice {
    /// The number to open it with.
    pub index: u32,
    /// Its name, e.g. `Integrated Camera`.
    pub name: String,
    /// More about it (driver, bus), as the system reports it.
    pub description: String,
}

/// The webcams connected; empty when there are none.
#[cfg(feature = "camera")]
pub fn list_cameras() -> Result<Vec<CameraDevice>, SourceError> {
    let cameras = nokhwa::query(nokhwa::utils::ApiBackend::Auto).map_err(camera_error)?;
    Ok(cameras
        .into_iter()
        .filter_map(|camera| {
            let index = camera.index().as_index().ok()?;
            Some(CameraDevice {
                index,
                name: camera.human_name(),
                description: camera.description().to_owned(),
            })
        })
        .collect())
}

/// A webcam streaming frames, opened at 1280×720 (or the closest size it
/// offers). Dropping it stops the stream and releases the device.
#[cfg(feature = "camera")]
pub struct Webcam {
    camera: nokhwa::Camera,
}

#[cfg(feature = "camera")]
impl Webcam {
    /// Opens webcam number `index` and starts its stream.
    pub fn open(index: u32) -> Result<Webcam, SourceError> {
        use nokhwa::utils::{
            CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
            Resolution,
        };
        let cameras = list_cameras()?;
        if cameras.is_empty() {
            return Err(SourceError::NoCamera);
        }
        if !cameras.iter().any(|camera| camera.index == index) {
            return Err(SourceError::CameraNotFound { index });
        }
        let (width, height) = CAMERA_RESOLUTION;
        let wanted = CameraFormat::new(
            Resolution::new(width, height),
            FrameFormat::MJPEG,
            CAMERA_FRAME_RATE,
        );
        // Every layout `frame_to_grey` reads, MJPEG first: uncompressed
        // 1280×720 does not fit USB 2 at 30 frames per second.
        const LAYOUTS: [FrameFormat; 6] = [
            FrameFormat::MJPEG,
            FrameFormat::YUYV,
            FrameFormat::NV12,
            FrameFormat::GRAY,
            FrameFormat::RAWRGB,
            FrameFormat::RAWBGR,
        ];
        let requested =
            RequestedFormat::with_formats(RequestedFormatType::Closest(wanted), &LAYOUTS);
        let mut camera =
            nokhwa::Camera::new(CameraIndex::Index(index), requested).map_err(camera_error)?;
        camera.open_stream().map_err(camera_error)?;
        Ok(Webcam { camera })
    }
}

#[cfg(feature = "camera")]
impl FrameSource for Webcam {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        use nokhwa::utils::FrameFormat;
        let buffer = self.camera.frame().map_err(camera_error)?;
        let resolution = buffer.resolution();
        let (layout, bytes_per_pixel) = match buffer.source_frame_format() {
            FrameFormat::MJPEG => (PixelLayout::Mjpeg, 0),
            FrameFormat::YUYV => (PixelLayout::Yuyv, 2),
            FrameFormat::NV12 => (PixelLayout::Nv12, 1),
            FrameFormat::GRAY => (PixelLayout::Grey, 1),
            FrameFormat::RAWRGB => (PixelLayout::Rgb, 3),
            FrameFormat::RAWBGR => (PixelLayout::Bgr, 3),
        };
        frame_to_grey(&RawFrame {
            layout,
            width: resolution.width(),
            height: resolution.height(),
            stride: resolution.width() as usize * bytes_per_pixel,
            bytes: buffer.buffer(),
        })
        .map(Some)
    }
}

#[cfg(feature = "camera")]
impl Drop for Webcam {
    fn drop(&mut self) {
        // Closing the device also stops the stream; stopping first lets the
        // driver finish cleanly. Nothing useful can be done on failure.
        let _ = self.camera.stop_stream();
    }
}

/// Sorts nokhwa's errors into the cases a user can act on. The operating
/// system's error text is the only reliable signal, so it is matched.
#[cfg(feature = "camera")]
fn camera_error(error: nokhwa::NokhwaError) -> SourceError {
    let text = error.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("os error 16") || lower.contains("busy") {
        SourceError::CameraBusy
    } else if lower.contains("os error 13")
        || lower.contains("permission denied")
        || lower.contains("access denied")
        || lower.contains("not authorized")
    {
        SourceError::CameraPermissionDenied
    } else if lower.contains("os error 2)") || lower.contains("no such file or directory") {
        SourceError::NoCamera
    } else {
        SourceError::CameraFailed { reason: text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn every_layout_yields_its_luma() {
        // 2×2 pixels, luma 10, 20 / 30, 40; rows padded to a stride.
        let grey = [10u8, 20, 0xee, 30, 40, 0xee];
        let yuyv = [10u8, 128, 20, 128, 0xee, 0xee, 30, 128, 40, 128];
        let nv12 = [10u8, 20, 0xee, 30, 40, 0xee, 128, 128];
        let expected = [10u8, 20, 30, 40];
        for (layout, bytes, stride) in [
            (PixelLayout::Grey, &grey[..], 3),
            (PixelLayout::Yuyv, &yuyv[..], 6),
            (PixelLayout::Nv12, &nv12[..], 3),
        ] {
            let frame = RawFrame {
                layout,
                width: 2,
                height: 2,
                stride,
                bytes,
            };
            assert_eq!(
                frame_to_grey(&frame).unwrap().as_raw(),
                &expected,
                "{layout:?}"
            );
        }
        let rgb = [255u8, 255, 255, 0, 0, 0];
        let bgr_red = [0u8, 0, 255];
        let rgb_frame = RawFrame {
            layout: PixelLayout::Rgb,
            width: 2,
            height: 1,
            stride: 6,
            bytes: &rgb,
        };
        assert_eq!(frame_to_grey(&rgb_frame).unwrap().as_raw(), &[255, 0]);
        let bgr_frame = RawFrame {
            layout: PixelLayout::Bgr,
            width: 1,
            height: 1,
            stride: 3,
            bytes: &bgr_red,
        };
        assert_eq!(frame_to_grey(&bgr_frame).unwrap().as_raw(), &[54]);
    }

    #[test]
    fn mjpeg_frames_decode_and_short_frames_are_refused() {
        let image = image::DynamicImage::ImageLuma8(GrayImage::from_pixel(16, 8, Luma([200])));
        let mut jpeg = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut jpeg),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let frame = RawFrame {
            layout: PixelLayout::Mjpeg,
            width: 16,
            height: 8,
            stride: 0,
            bytes: &jpeg,
        };
        let grey = frame_to_grey(&frame).unwrap();
        assert_eq!(grey.dimensions(), (16, 8));
        assert!(grey.iter().all(|&value| value.abs_diff(200) <= 2));
        let broken = RawFrame {
            bytes: &jpeg[..20],
            ..frame
        };
        assert!(matches!(
            frame_to_grey(&broken),
            Err(SourceError::CameraFailed { .. })
        ));
        let short = RawFrame {
            layout: PixelLayout::Yuyv,
            width: 4,
            height: 4,
            stride: 8,
            bytes: &[0; 31],
        };
        assert!(matches!(
            frame_to_grey(&short),
            Err(SourceError::CameraFailed { .. })
        ));
        let narrow = RawFrame {
            layout: PixelLayout::Grey,
            width: 4,
            height: 1,
            stride: 3,
            bytes: &[0; 4],
        };
        assert!(matches!(
            frame_to_grey(&narrow),
            Err(SourceError::CameraFailed { .. })
        ));
    }

    /// A source that records being dropped, to check the camera is released.
    struct TrackedSource {
        frames: RecordedFrames,
        released: Arc<AtomicBool>,
        fail_at_end: bool,
    }

    impl FrameSource for TrackedSource {
        fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
            match self.frames.next_frame()? {
                Some(frame) => Ok(Some(frame)),
                None if self.fail_at_end => Err(SourceError::CameraFailed {
                    reason: "unplugged".into(),
                }),
                None => Ok(None),
            }
        }
    }

    impl Drop for TrackedSource {
        fn drop(&mut self) {
            self.released.store(true, Ordering::SeqCst);
        }
    }

    fn code_frame(text: &str) -> GrayImage {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let rendered = code.render::<Luma<u8>>().module_dimensions(4, 4).build();
        let mut frame = GrayImage::from_pixel(320, 240, Luma([180]));
        image::imageops::replace(&mut frame, &rendered, 20, 20);
        frame
    }

    fn tracked(
        frames: Vec<GrayImage>,
        fail_at_end: bool,
    ) -> (
        Arc<AtomicBool>,
        impl FnOnce() -> Result<TrackedSource, SourceError> + Send,
    ) {
        let released = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&released);
        (released, move || {
            Ok(TrackedSource {
                frames: RecordedFrames::new(frames),
                released: flag,
                fail_at_end,
            })
        })
    }

    #[test]
    fn the_scan_stops_at_the_first_enrollment_and_releases_the_source() {
        let blank = GrayImage::from_pixel(320, 240, Luma([180]));
        let frames = vec![
            blank.clone(),
            code_frame("https://example.com/not-a-secret"),
            code_frame("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP"),
            blank,
        ];
        let (released, open) = tracked(frames, false);
        let scanner = CameraScanner::start(open);
        let first = scanner.events().recv().unwrap();
        assert!(
            matches!(
                first,
                CameraEvent::NotEnrollment(PayloadError::NotAnEnrollment(_))
            ),
            "{first:?}"
        );
        let CameraEvent::Found {
            payload: Payload::Account(account),
            code,
        } = scanner.wait()
        else {
            panic!("expected an account");
        };
        assert_eq!(account.issuer, "Example");
        assert!(code.text.starts_with("otpauth://"));
        // The fourth frame was never decoded: the scan stopped at the third.
        assert_eq!(scanner.frames_decoded(), 3);
        assert!(scanner.latest_frame().is_some());
        assert!(
            released.load(Ordering::SeqCst),
            "the source must be dropped before Found is sent"
        );
    }

    #[test]
    fn running_out_of_frames_or_failing_ends_the_scan() {
        let (released, open) = tracked(vec![GrayImage::from_pixel(64, 64, Luma([0]))], false);
        let scanner = CameraScanner::start(open);
        assert!(matches!(scanner.wait(), CameraEvent::Ended));
        assert!(released.load(Ordering::SeqCst));

        let (released, open) = tracked(Vec::new(), true);
        let scanner = CameraScanner::start(open);
        assert!(matches!(
            scanner.wait(),
            CameraEvent::Failed(SourceError::CameraFailed { .. })
        ));
        assert!(released.load(Ordering::SeqCst));

        let scanner = CameraScanner::start(|| Err::<RecordedFrames, _>(SourceError::CameraBusy));
        assert!(matches!(
            scanner.wait(),
            CameraEvent::Failed(SourceError::CameraBusy)
        ));
    }

    /// Endless blank frames until stopped.
    struct Endless(Arc<AtomicBool>);

    impl FrameSource for Endless {
        fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
            std::thread::sleep(std::time::Duration::from_millis(2));
            Ok(Some(GrayImage::from_pixel(32, 32, Luma([255]))))
        }
    }

    impl Drop for Endless {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn stopping_releases_the_source() {
        let released = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&released);
        let scanner = CameraScanner::start(move || Ok(Endless(flag)));
        while scanner.frames_decoded() < 3 {
            std::thread::yield_now();
        }
        scanner.stop();
        assert!(released.load(Ordering::SeqCst));
    }

    #[test]
    fn recorded_frames_play_at_their_frame_rate() {
        let frames = || (0..4u8).map(|i| GrayImage::from_pixel(8, 8, Luma([i])));
        let mut paced = RecordedFrames::new(frames()).at_frame_rate(50);
        let started = Instant::now();
        let mut seen = Vec::new();
        while let Some(frame) = paced.next_frame().unwrap() {
            seen.push(frame.get_pixel(0, 0)[0]);
        }
        // Four frames at 50 a second: three 20 ms gaps, the first at once.
        assert_eq!(seen, [0, 1, 2, 3]);
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(60), "{elapsed:?}");
        let mut unpaced = RecordedFrames::new(frames()).at_frame_rate(0);
        assert!(unpaced.interval.is_none());
        assert_eq!(unpaced.next_frame().unwrap().unwrap().get_pixel(0, 0)[0], 0);
    }

    #[test]
    fn previews_are_narrow_and_keep_the_picture() {
        // Left half black, right half white, at a webcam's size.
        let frame = GrayImage::from_fn(1280, 720, |x, _| Luma([if x < 640 { 0 } else { 255 }]));
        let preview = preview_frame(&frame, 480);
        assert_eq!(preview.dimensions(), (480, 270));
        assert_eq!(preview.get_pixel(10, 100)[0], 0);
        assert_eq!(preview.get_pixel(470, 100)[0], 255);
        // Narrow frames pass unchanged; a sliver keeps at least one row.
        let small = GrayImage::from_pixel(320, 240, Luma([7]));
        assert_eq!(preview_frame(&small, 480), small);
        let sliver = GrayImage::from_pixel(2000, 1, Luma([9]));
        assert_eq!(preview_frame(&sliver, 480).dimensions(), (480, 1));
    }

    #[cfg(feature = "camera")]
    #[test]
    fn without_a_camera_the_message_says_so() {
        let has_video_device = std::fs::read_dir("/dev")
            .map(|entries| {
                entries
                    .flatten()
                    .any(|entry| entry.file_name().to_string_lossy().starts_with("video"))
            })
            .unwrap_or(false);
        if has_video_device {
            eprintln!("skipped: this machine has a /dev/video* device");
            return;
        }
        assert_eq!(list_cameras().unwrap(), Vec::new());
        assert!(matches!(Webcam::open(0), Err(SourceError::NoCamera)));
        let scanner = CameraScanner::start_webcam(0);
        let CameraEvent::Failed(error) = scanner.wait() else {
            panic!("expected a failure");
        };
        assert!(matches!(error, SourceError::NoCamera));
        assert!(error.to_string().starts_with("no camera found"), "{error}");
    }
}
