//! The webcam pipeline on recorded frames: a 1280×720 sequence in which a
//! held-up enrollment code comes into focus, the way a person raises a
//! printout or a phone to the camera. Machines here have no camera, so
//! this drives the same `CameraScanner` a webcam would.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use image::GrayImage;
use tessera_scan::{CameraEvent, CameraScanner, FrameSource, Payload, RecordedFrames, SourceError};

use common::synthetic_camera::{camera_frame, HELD_UP_ENROLLMENT as ENROLLMENT};

/// Plays recorded frames and notes when it is dropped (the camera released).
struct Recording {
    frames: RecordedFrames,
    released: Arc<AtomicBool>,
}

impl FrameSource for Recording {
    fn next_frame(&mut self) -> Result<Option<GrayImage>, SourceError> {
        self.frames.next_frame()
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.released.store(true, Ordering::SeqCst);
    }
}

#[test]
fn a_code_coming_into_focus_is_found_and_the_camera_released() {
    let radii = [14, 10, 7, 4, 2, 1, 0, 0];
    let frames: Vec<GrayImage> = radii
        .iter()
        .enumerate()
        .map(|(number, &radius)| camera_frame(radius, number as u64 + 1))
        .collect();
    // The first frame really is too blurred to read.
    assert!(tessera_scan::decode_luma(&frames[0]).is_empty());

    let released = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&released);
    let scanner = CameraScanner::start(move || {
        Ok(Recording {
            frames: RecordedFrames::new(frames),
            released: flag,
        })
    });
    let CameraEvent::Found {
        payload: Payload::Account(account),
        code,
    } = scanner.wait()
    else {
        panic!("the code was not found in any frame");
    };
    assert_eq!(code.text, ENROLLMENT);
    assert_eq!(account.issuer, "Shop");
    assert_eq!(account.params.digits, 8);
    let decoded = scanner.frames_decoded();
    assert!(
        (2..radii.len() as u64).contains(&decoded),
        "found after {decoded} frames: expected blurred frames to fail first and the scan to stop before the end"
    );
    assert!(
        released.load(Ordering::SeqCst),
        "the frame source is dropped when the scan ends"
    );
}
