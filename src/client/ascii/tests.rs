//! ASCII art: shapes kept, the three formats read, and hostile or wrong files refused
//! before anything big is decoded.

use super::*;
use image::{Luma, Rgba, RgbaImage};

/// A black disc on white, `w` by `h` pixels.
fn disc(w: u32, h: u32) -> RgbaImage {
    let (cx, cy, r) = (w as f32 / 2.0, h as f32 / 2.0, w.min(h) as f32 / 2.5);
    RgbaImage::from_fn(w, h, |x, y| {
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
        if d < r {
            Rgba([0, 0, 0, 255])
        } else {
            Rgba([255, 255, 255, 255])
        }
    })
}

#[test]
fn the_shape_and_its_proportions_are_kept() {
    let image = DynamicImage::ImageRgba8(disc(120, 60));
    let art = draw(&image, 40);
    let lines: Vec<&str> = art.lines().collect();
    // 120 x 60 pixels at 40 columns: 40 x 20 cells of 3 x 3 pixels, drawn as 10 lines of
    // characters twice as tall as wide.
    assert_eq!(art.split('\n').count(), 10, "{art}");
    assert!(lines.iter().all(|l| l.len() <= 40));
    assert_eq!(lines[5].as_bytes()[20], b'@', "the middle is dark:\n{art}");
    assert!(lines[0].trim().is_empty(), "the top is white:\n{art}");
    let square = draw(
        &DynamicImage::ImageLuma8(image::GrayImage::from_pixel(100, 100, Luma([0]))),
        50,
    );
    assert_eq!(square.split('\n').count(), 25);
    // Never wider than asked, never wider than the picture, never wider than the limit.
    let black = |w, h| DynamicImage::ImageLuma8(image::GrayImage::from_pixel(w, h, Luma([0])));
    let wide = draw(&black(120, 60), 10_000);
    assert!(wide.lines().all(|l| l.len() == 120), "{wide}");
    let huge = draw(&black(1000, 100), 10_000);
    assert!(
        huge.lines().all(|l| l.len() == MAX_WIDTH as usize),
        "{huge}"
    );
    let tall = draw(&black(10, 5000), 10);
    assert_eq!(tall.split('\n').count(), MAX_LINES as usize);
}

#[test]
fn png_jpeg_and_gif_files_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let image = DynamicImage::ImageRgba8(disc(90, 90));
    for (name, format) in [
        ("disc.png", ImageFormat::Png),
        ("disc.jpg", ImageFormat::Jpeg),
        ("disc.gif", ImageFormat::Gif),
    ] {
        let path = dir.path().join(name);
        let pixels = match format {
            ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
            _ => image.clone(),
        };
        pixels.save_with_format(&path, format).expect("save");
        let art = from_file(&path, 30).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(art.split('\n').count(), 15, "{name}:\n{art}");
        assert!(art.contains('@'), "{name}:\n{art}");
    }
}

#[test]
fn wrong_files_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = from_file(&dir.path().join("nope.png"), 40);
    assert!(
        matches!(missing, Err(ArtError::Unreadable { .. })),
        "{missing:?}"
    );
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not an image at all").expect("write");
    let not_image = from_file(&text, 40);
    assert!(
        matches!(not_image, Err(ArtError::NotAnImage { .. })),
        "{not_image:?}"
    );
    let big = dir.path().join("big.png");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(MAX_FILE + 1).expect("grow");
    let too_large = from_file(&big, 40);
    assert!(
        matches!(too_large, Err(ArtError::TooLarge { .. })),
        "{too_large:?}"
    );
}

/// CRC-32 (the PNG one), to write a valid header by hand.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_header_announcing_billions_of_pixels_is_refused_before_decoding() {
    // A 45-byte PNG whose header says 100,000 x 100,000 pixels (40 GB of RGBA).
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bomb.png");
    std::fs::write(&path, &png).expect("write");
    let refused = from_file(&path, 40);
    assert!(
        matches!(
            refused,
            Err(ArtError::TooManyPixels { .. }) | Err(ArtError::Undecodable { .. })
        ),
        "{refused:?}"
    );
}
