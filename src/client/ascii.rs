//! Images as ASCII art (bonus 5): a PNG, JPEG or GIF turned into lines of characters that
//! any terminal can show, darker pixels drawn with denser characters.
//!
//! Decoding someone's file is the dangerous part: a few hundred bytes of PNG can announce
//! 100,000 × 100,000 pixels (40 GB once decoded). So the file's size is checked before it is
//! read, its dimensions are read from its header and checked before anything is decoded,
//! and the decoder is given the same limits (and a bound on what it may allocate) in case
//! the header lies. Only PNG, JPEG and GIF are compiled in.

use crate::chat::limits::{MAX_ART_LINES, MAX_ART_WIDTH};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::BufReader;
use std::path::Path;

/// Largest file read, in bytes.
pub const MAX_FILE: u64 = 10 * 1024 * 1024;

/// Largest width or height, in pixels, of an image accepted for decoding.
pub const MAX_SIDE: u32 = 8_000;

/// Most bytes the decoder may allocate (an 8000 × 8000 RGBA image is 256 MB: too much for
/// a chat client; 64 MB covers a 4000 × 4000 RGBA picture).
pub const MAX_ALLOC: u64 = 64 * 1024 * 1024;

/// Widest art, in characters; the default is [`DEFAULT_WIDTH`].
pub const MAX_WIDTH: u32 = MAX_ART_WIDTH as u32;

/// The width of the art when none is asked for: fits an 80-column terminal.
pub const DEFAULT_WIDTH: u32 = 64;

/// Most lines of art (a very tall picture is squeezed to this).
pub const MAX_LINES: u32 = MAX_ART_LINES as u32;

/// From light to dark: a light pixel is a space, a dark one a `@` (for a dark text on a
/// light background, and the other way round on a dark terminal, which still reads).
const RAMP: &[u8] = b" .:-=+*#%@";

/// The art width a user asked for (`--art-width`, `ART_WIDTH`), [`DEFAULT_WIDTH`] if none.
pub fn width(
    asked: Option<&crate::settings::Sourced>,
) -> Result<u32, crate::settings::SettingsError> {
    asked.map_or(Ok(DEFAULT_WIDTH), |w| {
        crate::settings::number(w, "art width", 1, MAX_WIDTH)
    })
}

/// Why a file could not be turned into art; `Display` is the line the client shows.
#[derive(Debug, thiserror::Error)]
pub enum ArtError {
    /// The file cannot be opened or read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// What the system said.
        reason: std::io::Error,
    },
    /// The file is larger than [`MAX_FILE`].
    #[error("{path} is {size} bytes; images are limited to {MAX_FILE} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
    },
    /// Not a PNG, JPEG or GIF.
    #[error("{path} is not a PNG, JPEG or GIF image")]
    NotAnImage {
        /// The file.
        path: String,
    },
    /// Wider or taller than [`MAX_SIDE`].
    #[error("{path} is {width}x{height} pixels; images are limited to {MAX_SIDE}x{MAX_SIDE}")]
    TooManyPixels {
        /// The file.
        path: String,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// The image data is damaged, or needs more memory than allowed.
    #[error("cannot decode {path}: {reason}")]
    Undecodable {
        /// The file.
        path: String,
        /// What the decoder said.
        reason: String,
    },
}

/// The art of the image in `path`, `width` characters wide (at most [`MAX_WIDTH`]), its
/// aspect ratio kept (a character is about twice as tall as it is wide).
pub fn from_file(path: &Path, width: u32) -> Result<String, ArtError> {
    let shown = crate::visible::visible(&path.display().to_string()).into_owned();
    let unreadable = |reason| ArtError::Unreadable {
        path: shown.clone(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_FILE {
        return Err(ArtError::TooLarge { path: shown, size });
    }
    let reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .map_err(unreadable)?;
    let known = [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif];
    if !reader.format().is_some_and(|f| known.contains(&f)) {
        return Err(ArtError::NotAnImage { path: shown });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = reader;
    reader.limits(limits);
    // The header alone first: the dimensions are known before a pixel is decoded.
    let decoder = reader.into_decoder().map_err(|e| undecodable(&shown, e))?;
    let (w, h) = decoder.dimensions();
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(ArtError::TooManyPixels {
            path: shown,
            width: w,
            height: h,
        });
    }
    let image = DynamicImage::from_decoder(decoder).map_err(|e| undecodable(&shown, e))?;
    Ok(draw(&image, width))
}

fn undecodable(shown: &str, e: image::ImageError) -> ArtError {
    ArtError::Undecodable {
        path: shown.to_string(),
        reason: e.to_string(),
    }
}

/// Draws a decoded image: one character per cell of `width` columns, each cell as tall as
/// two of its width so that the picture keeps its shape on a terminal.
pub fn draw(image: &image::DynamicImage, width: u32) -> String {
    let (w, h) = (image.width().max(1), image.height().max(1));
    let columns = width.clamp(1, MAX_WIDTH).min(w.max(1));
    let lines = ((u64::from(h) * u64::from(columns)) / (2 * u64::from(w)))
        .clamp(1, u64::from(MAX_LINES)) as u32;
    let small = image
        .resize_exact(columns, lines, FilterType::Triangle)
        .to_luma_alpha8();
    let mut art = String::with_capacity(((columns + 1) * lines) as usize);
    for y in 0..lines {
        if y > 0 {
            art.push('\n');
        }
        let mut row = String::with_capacity(columns as usize);
        for x in 0..columns {
            let [luma, alpha] = small.get_pixel(x, y).0;
            // Transparent is background: as light as it gets.
            let light = 255 - (u32::from(255 - luma) * u32::from(alpha) / 255) as u8;
            let dark = usize::from(255 - light) * (RAMP.len() - 1) / 255;
            row.push(char::from(RAMP[dark]));
        }
        art.push_str(row.trim_end());
    }
    art
}

#[cfg(test)]
mod tests;
