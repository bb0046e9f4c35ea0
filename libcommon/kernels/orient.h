// EXIF orientation: turning stored pixels into the upright image a viewer would display.
#pragma once

#include "libcommon/image.h"

namespace imgpipe {

// Returns src transformed for EXIF orientation 1..8 (TIFF/EXIF tag 0x0112):
//   1 identity            2 mirror horizontal    3 rotate 180          4 mirror vertical
//   5 transpose           6 rotate 90 CW         7 transverse          8 rotate 90 CCW
// (6: the stored 0th row is the visual right side, so it is displayed rotated 90 degrees
// clockwise.) Orientations 5..8 swap width and height. Any other value is treated as 1, as
// viewers do with a missing or corrupt tag. Works for u8 and u16 with any channel count.
Image ApplyOrientation(const Image& src, int exif_orientation);

// The orientation that undoes `exif_orientation` (6 <-> 8; every other one is its own
// inverse). ApplyOrientation(ApplyOrientation(img, o), InverseOrientation(o)) == img.
int InverseOrientation(int exif_orientation);

}  // namespace imgpipe
