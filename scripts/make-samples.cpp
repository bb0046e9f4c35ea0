// make-samples: writes varied sample images (JPEG/PNG/WebP/GIF, EXIF, alpha, gray) for the demo.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "formats/codec/encode.h"
#include "formats/codec/exif.h"
#include "libcommon/image.h"

namespace {

using imgpipe::Image;
using imgpipe::ImageFormat;

constexpr int kDefaultCount = 12;

// A gradient background with a few discs and a bar in the top-left corner, so a wrong EXIF
// rotation or a channel swap is visible at a glance. `seed` varies colours and positions.
Image Draw(int w, int h, int channels, int seed, bool u16 = false) {
  Image img;
  img.Allocate(w, h, channels, u16 ? imgpipe::SampleType::kU16 : imgpipe::SampleType::kU8);
  struct Disc {
    int x, y, r, color[3];
  };
  std::vector<Disc> discs;
  uint32_t state = 2654435761u * uint32_t(seed + 1);
  auto next = [&state](int n) {
    state = state * 1664525u + 1013904223u;
    return int((state >> 8) % uint32_t(n));
  };
  for (int i = 0; i < 5; ++i) {
    const int r = std::max(2, std::min(w, h) / (4 + next(6)));
    discs.push_back({next(w), next(h), r, {next(256), next(256), next(256)}});
  }
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int rgb[3] = {255 * x / std::max(1, w - 1), 255 * y / std::max(1, h - 1),
                    (seed * 40 + 128 * (x + y) / std::max(1, w + h)) % 256};
      for (const Disc& d : discs) {
        const int dx = x - d.x, dy = y - d.y;
        if (dx * dx + dy * dy <= d.r * d.r) std::copy(d.color, d.color + 3, rgb);
      }
      if (x < w / 3 && y < h / 12) rgb[0] = 255, rgb[1] = rgb[2] = 0;  // "top-left" marker
      const int alpha = std::clamp(255 - 255 * std::abs(2 * x - w) / std::max(1, w), 0, 255);
      const int gray = (rgb[0] * 77 + rgb[1] * 150 + rgb[2] * 29) >> 8;
      int v[4] = {rgb[0], rgb[1], rgb[2], alpha};
      if (channels <= 2) v[0] = gray, v[1] = alpha;
      const size_t at = (size_t(y) * w + x) * channels;
      for (int c = 0; c < channels; ++c) {
        if (u16) {
          const uint16_t s = uint16_t(v[c] * 257);
          std::memcpy(&img.data[(at + c) * 2], &s, 2);
        } else {
          img.data[at + c] = uint8_t(v[c]);
        }
      }
    }
  }
  return img;
}

void PutLe16(std::vector<uint8_t>& out, int v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}

// GIF89a with a 6x6x6 colour-cube palette; LZW as 9-bit literals with a clear code every 128
// codes (valid, just uncompressed), because imgpipe's encoder does not write GIF.
std::vector<uint8_t> EncodeGif(const Image& rgb) {
  std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a'};
  PutLe16(gif, rgb.width);
  PutLe16(gif, rgb.height);
  gif.insert(gif.end(), {0xF7, 0, 0});
  for (int i = 0; i < 256; ++i) {
    const int r = i < 216 ? i / 36 : 0, g = i < 216 ? (i / 6) % 6 : 0, b = i < 216 ? i % 6 : 0;
    gif.insert(gif.end(), {uint8_t(r * 51), uint8_t(g * 51), uint8_t(b * 51)});
  }
  gif.push_back(0x2C);
  PutLe16(gif, 0);
  PutLe16(gif, 0);
  PutLe16(gif, rgb.width);
  PutLe16(gif, rgb.height);
  gif.insert(gif.end(), {0, 8});
  std::vector<uint8_t> lzw;
  uint32_t acc = 0;
  int bits = 0, since_clear = 0;
  auto emit = [&](uint32_t code) {
    acc |= code << bits;
    for (bits += 9; bits >= 8; bits -= 8, acc >>= 8) lzw.push_back(uint8_t(acc));
  };
  emit(256);
  for (size_t i = 0; i < size_t(rgb.width) * rgb.height; ++i) {
    if (since_clear++ == 128) {
      emit(256);
      since_clear = 1;
    }
    const uint8_t* p = &rgb.data[i * 3];
    emit(uint32_t((p[0] + 25) / 51 * 36 + (p[1] + 25) / 51 * 6 + (p[2] + 25) / 51));
  }
  emit(257);
  if (bits > 0) lzw.push_back(uint8_t(acc));
  for (size_t pos = 0; pos < lzw.size(); pos += 255) {
    const size_t n = std::min<size_t>(255, lzw.size() - pos);
    gif.push_back(uint8_t(n));
    gif.insert(gif.end(), lzw.begin() + pos, lzw.begin() + pos + n);
  }
  gif.insert(gif.end(), {0, 0x3B});
  return gif;
}

// Written to a temporary name and renamed, so an interrupted run leaves no half file.
bool WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

struct Sample {
  const char* name;
  int width, height, channels;
  ImageFormat format;
  imgpipe::EncodeOptions options;
  int orientation;  // 0: no EXIF
  bool u16 = false;
  bool gif = false;
};

const Sample kSamples[] = {
    {"photo", 640, 480, 3, ImageFormat::kJpeg, {.quality = 90}, 0},
    {"large", 3000, 2000, 3, ImageFormat::kJpeg, {.quality = 85}, 0},
    {"rotated", 800, 600, 3, ImageFormat::kJpeg, {.quality = 90}, 6},
    {"alpha", 320, 240, 4, ImageFormat::kPng, {}, 0},
    {"gray", 300, 200, 1, ImageFormat::kPng, {}, 0},
    {"lossy", 512, 384, 3, ImageFormat::kWebp, {.quality = 80}, 0},
    {"palette", 200, 150, 3, ImageFormat::kUnknown, {}, 0, false, true},
    {"gray", 320, 240, 1, ImageFormat::kJpeg, {.quality = 85}, 0},
    {"lossless", 256, 256, 4, ImageFormat::kWebp, {.lossless = true}, 0},
    {"progressive", 1024, 768, 3, ImageFormat::kJpeg, {.quality = 88, .progressive = true}, 0},
    {"deep", 400, 300, 3, ImageFormat::kPng, {}, 0, true},
    {"portrait", 200, 300, 3, ImageFormat::kJpeg, {.quality = 92, .subsampling = 444}, 3},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: make-samples DIR [N]   (N sample images, default %d)\n",
                 kDefaultCount);
    return 2;
  }
  const std::string dir = argv[1];
  int count = kDefaultCount;
  if (argc == 3) {
    char* end = nullptr;
    const long n = std::strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || n < 1 || n > 10000) {
      std::fprintf(stderr, "make-samples: error: N must be 1..10000 (got '%s')\n", argv[2]);
      return 2;
    }
    count = int(n);
  }
  const int kinds = int(sizeof(kSamples) / sizeof(kSamples[0]));
  for (int i = 0; i < count; ++i) {
    const Sample& s = kSamples[i % kinds];
    // Later rounds shrink a little so that N > 12 still gives distinct pictures and sizes.
    const int round = i / kinds;
    const int w = std::max(16, s.width - round * s.width / 16);
    const int h = std::max(16, s.height - round * s.height / 16);
    const Image img = Draw(w, h, s.channels, i, s.u16);
    std::vector<uint8_t> bytes;
    const char* ext = "gif";
    if (s.gif) {
      bytes = EncodeGif(img);
    } else {
      auto encoded = imgpipe::EncodeImage(img, s.format, s.options);
      if (!encoded) {
        std::fprintf(stderr, "make-samples: error: %s\n", encoded.error().message.c_str());
        return 1;
      }
      bytes = std::move(encoded).value();
      ext = imgpipe::ExtensionOf(s.format);
      if (s.orientation != 0) {
        auto tagged = imgpipe::AddExifOrientation(bytes, s.orientation);
        if (!tagged) {
          std::fprintf(stderr, "make-samples: error: %s\n", tagged.error().message.c_str());
          return 1;
        }
        bytes = std::move(tagged).value();
      }
    }
    char name[128];
    std::snprintf(name, sizeof(name), "sample-%03d-%s-%dx%d.%s", i, s.name, w, h, ext);
    const std::string path = dir + "/" + name;
    if (!WriteFile(path, bytes)) {
      std::fprintf(stderr, "make-samples: error: cannot write %s\n", path.c_str());
      return 2;
    }
    std::printf("%s\n", path.c_str());
  }
  return 0;
}
