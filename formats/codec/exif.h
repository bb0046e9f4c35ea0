// EXIF orientation: reading it from JPEG/WebP/PNG bytes and writing it into a JPEG.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// EXIF tag 0x0112 (1..8) from a JPEG APP1, WebP EXIF chunk or PNG eXIf chunk; 1 when absent or
// unreadable. Hostile EXIF is expected: every offset is bounds-checked and only IFD0 is read
// (no IFD chains are followed, so no loops are possible).
int ParseExifOrientation(std::span<const uint8_t> image_bytes);

// Orientation tag from a bare TIFF structure ("II*\0"/"MM\0*" header); 1 when absent.
int ParseTiffOrientation(std::span<const uint8_t> tiff);

// Returns a copy of `jpeg` whose only Exif APP1 segment holds orientation `orientation` (1..8).
// Existing Exif segments are dropped (their other tags are lost); the new segment goes right after
// SOI, or after a leading JFIF APP0. Errors: "unsupported" (not a JPEG / orientation out of
// range), "truncated" or "corrupt" (header cannot be walked).
Result<std::vector<uint8_t>> AddExifOrientation(std::span<const uint8_t> jpeg, int orientation);

}  // namespace imgpipe
