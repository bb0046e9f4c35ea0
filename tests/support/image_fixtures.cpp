// Test fixtures: pattern images and hand-rolled or library encodings of them in every format.
#include "tests/support/image_fixtures.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE declared first
#include <jpeglib.h>
// clang-format on
#include <stb/stb_image_write.h>
#include <webp/encode.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "formats/codec/exif.h"

namespace imgpipe::testing {
namespace {

void PutBe16(Bytes& out, uint32_t v) {
  out.push_back(uint8_t(v >> 8));
  out.push_back(uint8_t(v));
}
void PutBe32(Bytes& out, uint32_t v) {
  PutBe16(out, v >> 16);
  PutBe16(out, v & 0xFFFF);
}
void PutLe16(Bytes& out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}

uint32_t Crc32(const uint8_t* data, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

uint32_t Adler32(const Bytes& data) {
  uint32_t a = 1, b = 0;
  for (uint8_t v : data) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

// zlib stream made of stored blocks: valid deflate without a compressor.
Bytes ZlibStored(const Bytes& raw) {
  Bytes out = {0x78, 0x01};
  size_t pos = 0;
  do {
    const size_t n = std::min<size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    out.push_back(last ? 1 : 0);
    PutLe16(out, uint32_t(n));
    PutLe16(out, uint32_t(~n & 0xFFFF));
    out.insert(out.end(), raw.begin() + pos, raw.begin() + pos + n);
    pos += n;
  } while (pos < raw.size());
  PutBe32(out, Adler32(raw));
  return out;
}

Bytes PngSignatureAndHeader(uint32_t w, uint32_t h, int depth, int color_type) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  PutBe32(ihdr, w);
  PutBe32(ihdr, h);
  ihdr.insert(ihdr.end(), {uint8_t(depth), uint8_t(color_type), 0, 0, 0});
  AppendPngChunk(png, "IHDR", ihdr);
  return png;
}

struct JpegErrorManager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Inverted (Adobe) CMYK for one RGB pixel: K' = max(R,G,B), C' = R/K' scaled.
void RgbToInvertedCmyk(const uint8_t* rgb, uint8_t* cmyk) {
  const int k = std::max({rgb[0], rgb[1], rgb[2]});
  for (int c = 0; c < 3; ++c) cmyk[c] = k == 0 ? 0 : uint8_t((rgb[c] * 255 + k / 2) / k);
  cmyk[3] = uint8_t(k);
}

}  // namespace

Image MakePattern(int width, int height, int channels, bool u16) {
  Image img;
  img.Allocate(width, height, channels, u16 ? SampleType::kU16 : SampleType::kU8);
  const int cx = width / 2, cy = height / 2, radius = std::max(1, std::min(width, height) / 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      int r = 255 * x / std::max(1, width - 1);
      int g = 255 * y / std::max(1, height - 1);
      int b = 255 * (x + y) / std::max(1, width + height - 2);
      const int dx = x - cx, dy = y - cy;
      if (dx * dx + dy * dy <= radius * radius) {  // a disc of shifted colour
        r = 255 - r;
        b = (b + 96) % 256;
      }
      if (y >= height * 3 / 4 && y < height * 3 / 4 + std::max(1, height / 10)) g /= 3;  // a bar
      const int a = 255 - 200 * x / std::max(1, width);
      const int gray = (r * 77 + g * 150 + b * 29) >> 8;
      int v[4];
      switch (channels) {
        case 1:
          v[0] = gray;
          break;
        case 2:
          v[0] = gray, v[1] = a;
          break;
        case 3:
          v[0] = r, v[1] = g, v[2] = b;
          break;
        default:
          v[0] = r, v[1] = g, v[2] = b, v[3] = a;
          break;
      }
      const size_t at = (size_t(y) * width + x) * channels;
      for (int c = 0; c < channels; ++c) {
        if (u16) {
          // Low byte varies too, so a decoder that drops it is caught.
          const uint16_t s = uint16_t((v[c] << 8) | ((x * 7 + y * 3 + c) & 0xFF));
          std::memcpy(&img.data[(at + c) * 2], &s, 2);
        } else {
          img.data[at + c] = uint8_t(v[c]);
        }
      }
    }
  }
  return img;
}

Bytes MakeJpeg(const Image& image, const JpegFixtureOptions& options) {
  if (image.type != SampleType::kU8 || (image.channels != 1 && image.channels != 3)) {
    throw std::invalid_argument("MakeJpeg needs a u8 gray or RGB image");
  }
  if (options.cmyk && image.channels != 3) throw std::invalid_argument("CMYK needs RGB input");
  jpeg_compress_struct cinfo;
  JpegErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = JpegErrorExit;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    std::free(buffer);
    throw std::runtime_error(std::string("libjpeg: ") + err.message);
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = image.width;
  cinfo.image_height = image.height;
  cinfo.input_components = options.cmyk ? 4 : image.channels;
  cinfo.in_color_space = options.cmyk ? JCS_CMYK : image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  if (options.cmyk) jpeg_set_colorspace(&cinfo, options.ycck ? JCS_YCCK : JCS_CMYK);
  jpeg_set_quality(&cinfo, options.quality, TRUE);
  if (image.channels == 3 && !options.cmyk) {
    const int h = options.subsampling == 444 ? 1 : 2;
    const int v = options.subsampling == 420 ? 2 : 1;
    cinfo.comp_info[0].h_samp_factor = h;
    cinfo.comp_info[0].v_samp_factor = v;
    for (int c = 1; c < 3; ++c) {
      cinfo.comp_info[c].h_samp_factor = 1;
      cinfo.comp_info[c].v_samp_factor = 1;
    }
  } else {
    for (int c = 0; c < cinfo.num_components; ++c) {
      cinfo.comp_info[c].h_samp_factor = 1;
      cinfo.comp_info[c].v_samp_factor = 1;
    }
  }
  cinfo.restart_interval = options.restart_interval;
  if (options.progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<uint8_t> row(size_t(image.width) * cinfo.input_components);
  while (cinfo.next_scanline < cinfo.image_height) {
    const uint8_t* src = image.data.data() + size_t(cinfo.next_scanline) * image.RowBytes();
    if (options.cmyk) {
      for (int x = 0; x < image.width; ++x) RgbToInvertedCmyk(src + x * 3, &row[size_t(x) * 4]);
    } else {
      std::memcpy(row.data(), src, image.RowBytes());
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

Image CmykRoundTripExpectation(const Image& rgb) {
  Image out;
  out.Allocate(rgb.width, rgb.height, 3);
  for (size_t i = 0; i < size_t(rgb.width) * rgb.height; ++i) {
    uint8_t cmyk[4];
    RgbToInvertedCmyk(&rgb.data[i * 3], cmyk);
    for (int c = 0; c < 3; ++c) out.data[i * 3 + c] = uint8_t((cmyk[c] * cmyk[3] + 127) / 255);
  }
  return out;
}

void AppendPngChunk(Bytes& png, const char type[4], const Bytes& data) {
  PutBe32(png, uint32_t(data.size()));
  const size_t type_at = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  PutBe32(png, Crc32(png.data() + type_at, data.size() + 4));
}

Bytes MakePng(const Image& image) {
  static const int kColorType[5] = {0, 0, 4, 2, 6};
  const bool wide = image.type == SampleType::kU16;
  Bytes png =
      PngSignatureAndHeader(image.width, image.height, wide ? 16 : 8, kColorType[image.channels]);
  Bytes raw;
  const size_t samples_per_row = size_t(image.width) * image.channels;
  for (int y = 0; y < image.height; ++y) {
    raw.push_back(0);  // filter type none
    for (size_t i = 0; i < samples_per_row; ++i) {
      const size_t s = size_t(y) * samples_per_row + i;
      if (wide) {
        uint16_t v;
        std::memcpy(&v, &image.data[s * 2], 2);
        PutBe16(raw, v);
      } else {
        raw.push_back(image.data[s]);
      }
    }
  }
  AppendPngChunk(png, "IDAT", ZlibStored(raw));
  AppendPngChunk(png, "IEND", {});
  return png;
}

Bytes MakePalettePng(int width, int height, const std::vector<uint8_t>& indices,
                     const std::vector<std::array<uint8_t, 4>>& palette_rgba) {
  Bytes png = PngSignatureAndHeader(width, height, 8, 3);
  Bytes plte, trns;
  bool any_alpha = false;
  for (const auto& e : palette_rgba) {
    plte.insert(plte.end(), {e[0], e[1], e[2]});
    trns.push_back(e[3]);
    any_alpha |= e[3] != 255;
  }
  AppendPngChunk(png, "PLTE", plte);
  if (any_alpha) AppendPngChunk(png, "tRNS", trns);
  Bytes raw;
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), indices.begin() + size_t(y) * width,
               indices.begin() + size_t(y + 1) * width);
  }
  AppendPngChunk(png, "IDAT", ZlibStored(raw));
  AppendPngChunk(png, "IEND", {});
  return png;
}

PaletteFixture MakePalettePattern(int width, int height, bool with_alpha) {
  PaletteFixture f;
  f.width = width;
  f.height = height;
  for (int i = 0; i < 16; ++i) {
    f.palette.push_back({uint8_t(i * 17), uint8_t(255 - i * 13), uint8_t((i * 71) % 256),
                         uint8_t(with_alpha ? (i * 16 + 15) : 255)});
  }
  f.expected_rgba.Allocate(width, height, 4);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t idx = uint8_t(((x / 3) + (y / 2) * 5) % 16);
      f.indices.push_back(idx);
      std::memcpy(&f.expected_rgba.data[(size_t(y) * width + x) * 4], f.palette[idx].data(), 4);
    }
  }
  return f;
}

Bytes MakePngHeaderBomb(uint32_t width, uint32_t height) {
  Bytes png = PngSignatureAndHeader(width, height, 8, 2);
  AppendPngChunk(png, "IDAT", ZlibStored(Bytes(64, 0)));
  AppendPngChunk(png, "IEND", {});
  return png;
}

Bytes MakeGif(int width, int height, const std::vector<uint8_t>& indices,
              const std::vector<std::array<uint8_t, 3>>& palette, int transparent_index) {
  Bytes gif = {'G', 'I', 'F', '8', '9', 'a'};
  PutLe16(gif, width);
  PutLe16(gif, height);
  gif.insert(gif.end(), {0xF7, 0, 0});  // 256-entry global table, 8-bit colour resolution
  for (int i = 0; i < 256; ++i) {
    const auto e = i < int(palette.size()) ? palette[i] : std::array<uint8_t, 3>{0, 0, 0};
    gif.insert(gif.end(), e.begin(), e.end());
  }
  if (transparent_index >= 0) {
    gif.insert(gif.end(), {0x21, 0xF9, 4, 0x01, 0, 0, uint8_t(transparent_index), 0});
  }
  gif.push_back(0x2C);
  PutLe16(gif, 0);
  PutLe16(gif, 0);
  PutLe16(gif, width);
  PutLe16(gif, height);
  gif.push_back(0);  // no local table, not interlaced
  gif.push_back(8);  // LZW minimum code size
  // 9-bit codes, LSB first. Clearing every 128 codes keeps the decoder's table far below 512
  // entries, so the code width never grows and every code can be a literal.
  Bytes lzw;
  uint32_t acc = 0;
  int bits = 0;
  auto emit = [&](uint32_t code) {
    acc |= code << bits;
    bits += 9;
    while (bits >= 8) {
      lzw.push_back(uint8_t(acc));
      acc >>= 8;
      bits -= 8;
    }
  };
  emit(256);
  int since_clear = 0;
  for (uint8_t idx : indices) {
    if (since_clear == 128) {
      emit(256);
      since_clear = 0;
    }
    emit(idx);
    ++since_clear;
  }
  emit(257);
  if (bits > 0) lzw.push_back(uint8_t(acc));
  for (size_t pos = 0; pos < lzw.size(); pos += 255) {
    const size_t n = std::min<size_t>(255, lzw.size() - pos);
    gif.push_back(uint8_t(n));
    gif.insert(gif.end(), lzw.begin() + pos, lzw.begin() + pos + n);
  }
  gif.push_back(0);
  gif.push_back(0x3B);
  return gif;
}

Bytes MakeBmp(const Image& image) {
  Bytes out;
  stbi_write_bmp_to_func(
      [](void* ctx, void* data, int size) {
        auto* o = static_cast<Bytes*>(ctx);
        o->insert(o->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
      },
      &out, image.width, image.height, image.channels, image.data.data());
  return out;
}

Bytes MakeTga(const Image& image) {
  const int c = image.channels;
  Bytes out = {0, 0, uint8_t(c <= 2 ? 3 : 2), 0, 0, 0, 0, 0, 0, 0, 0, 0};
  PutLe16(out, image.width);
  PutLe16(out, image.height);
  out.push_back(uint8_t(c * 8));
  out.push_back(uint8_t(0x20 | ((c == 2 || c == 4) ? 8 : 0)));  // top-left origin, alpha bits
  for (size_t i = 0; i < size_t(image.width) * image.height; ++i) {
    const uint8_t* p = &image.data[i * c];
    if (c >= 3) {
      out.insert(out.end(), {p[2], p[1], p[0]});  // TGA stores BGR
      if (c == 4) out.push_back(p[3]);
    } else {
      out.insert(out.end(), p, p + c);
    }
  }
  return out;
}

Bytes MakePsd(const Image& image) {
  Bytes out = {'8', 'B', 'P', 'S', 0, 1, 0, 0, 0, 0, 0, 0};
  PutBe16(out, 3);
  PutBe32(out, image.height);
  PutBe32(out, image.width);
  PutBe16(out, 8);
  PutBe16(out, 3);  // RGB mode
  PutBe32(out, 0);  // colour mode data
  PutBe32(out, 0);  // image resources
  PutBe32(out, 0);  // layers and masks
  PutBe16(out, 0);  // raw data
  for (int c = 0; c < 3; ++c) {
    for (size_t i = 0; i < size_t(image.width) * image.height; ++i) {
      out.push_back(image.data[i * image.channels + c]);
    }
  }
  return out;
}

Bytes MakeWebp(const Image& image, bool lossless, int quality) {
  uint8_t* out = nullptr;
  const int stride = int(image.RowBytes());
  size_t size;
  if (image.channels == 4) {
    size = lossless
               ? WebPEncodeLosslessRGBA(image.data.data(), image.width, image.height, stride, &out)
               : WebPEncodeRGBA(image.data.data(), image.width, image.height, stride,
                                float(quality), &out);
  } else {
    size = lossless
               ? WebPEncodeLosslessRGB(image.data.data(), image.width, image.height, stride, &out)
               : WebPEncodeRGB(image.data.data(), image.width, image.height, stride, float(quality),
                               &out);
  }
  Bytes bytes(out, out + size);
  WebPFree(out);
  return bytes;
}

Bytes InsertExifOrientation(const Bytes& jpeg, int orientation) {
  auto r = AddExifOrientation(jpeg, orientation);
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

Bytes Truncate(const Bytes& bytes, size_t n) {
  return Bytes(bytes.begin(), bytes.begin() + std::min(n, bytes.size()));
}

Bytes FlipBit(const Bytes& bytes, size_t bit) {
  Bytes out = bytes;
  if (bit / 8 < out.size()) out[bit / 8] ^= uint8_t(1u << (bit % 8));
  return out;
}

double Psnr(const Image& a, const Image& b) {
  if (a.data.size() != b.data.size() || a.data.empty()) return 0;
  double se = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const double d = double(a.data[i]) - b.data[i];
    se += d * d;
  }
  if (se == 0) return 99;
  return 10 * std::log10(255.0 * 255.0 * a.data.size() / se);
}

int MaxAbsDiff(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels || a.type != b.type) {
    return -1;
  }
  int worst = 0;
  const size_t n = size_t(a.width) * a.height * a.channels;
  for (size_t i = 0; i < n; ++i) {
    int va, vb;
    if (a.type == SampleType::kU16) {
      uint16_t x, y;
      std::memcpy(&x, &a.data[i * 2], 2);
      std::memcpy(&y, &b.data[i * 2], 2);
      va = x, vb = y;
    } else {
      va = a.data[i], vb = b.data[i];
    }
    worst = std::max(worst, std::abs(va - vb));
  }
  return worst;
}

}  // namespace imgpipe::testing
