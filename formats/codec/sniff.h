// Image container formats: recognising them from their first bytes and naming them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace imgpipe {

enum class ImageFormat { kUnknown, kJpeg, kPng, kGif, kBmp, kTga, kPsd, kWebp };

// Identifies the format from magic bytes. TGA has no magic, so it is reported only when its
// 18-byte header is self-consistent (known image type, sane sizes and depth); that keeps random
// bytes from being called TGA.
ImageFormat SniffFormat(std::span<const uint8_t> bytes);

// "image/jpeg", "image/png", ...; "application/octet-stream" for kUnknown.
const char* MimeOf(ImageFormat format);
// File extension without the dot: "jpg", "png", ...; "bin" for kUnknown.
const char* ExtensionOf(ImageFormat format);
// Short lower-case name for messages and JSON: "jpeg", "png", ...; "unknown".
const char* NameOf(ImageFormat format);
// Parses a --format value ("jpeg", "jpg", "png", "webp", "gif", "bmp", "tga", "psd",
// case-insensitive, optionally a MIME type or with a leading dot); kUnknown if not recognised.
ImageFormat FormatFromName(std::string_view name);

}  // namespace imgpipe
