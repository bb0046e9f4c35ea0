// TurboJPEG-backed JPEG decoder with strict truncation handling and bounded work on bad input.
#include "formats/codec/jpeg_decoder.h"

#include <turbojpeg.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "formats/codec/decode_checks.h"
#include "formats/codec/exif.h"
#include "formats/codec/jpeg_markers.h"
#include "formats/codec/pixel_convert.h"

namespace imgpipe {
namespace {

class TjDecompressor {
 public:
  TjDecompressor() : handle_(tjInitDecompress()) {}
  ~TjDecompressor() {
    if (handle_ != nullptr) tjDestroy(handle_);
  }
  TjDecompressor(const TjDecompressor&) = delete;
  TjDecompressor& operator=(const TjDecompressor&) = delete;
  tjhandle get() const { return handle_; }
  // libjpeg can be left in a state that fails the next, valid image after a corrupt one: a
  // handle reused across images (one per thread) is replaced after every failure.
  void Reset() {
    if (handle_ != nullptr) tjDestroy(handle_);
    handle_ = tjInitDecompress();
  }
  std::string ErrorString() const { return handle_ ? tjGetErrorStr2(handle_) : "no handle"; }

 private:
  tjhandle handle_;
};

// Resets the handle when the function returns without having called Done(): every error path
// then leaves a fresh handle for the next image.
class ResetUnlessDone {
 public:
  explicit ResetUnlessDone(TjDecompressor& tj) : tj_(tj) {}
  ~ResetUnlessDone() {
    if (!done_) tj_.Reset();
  }
  void Done() { done_ = true; }

 private:
  TjDecompressor& tj_;
  bool done_ = false;
};

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// libjpeg's wording for running out of data, as a warning or inside a fatal error.
bool SaysTruncated(const std::string& msg) {
  return Contains(msg, "Premature end of JPEG file") ||
         Contains(msg, "premature end of data segment");
}

std::string TruncatedMessage(size_t size) {
  return "truncated JPEG (premature end of data at byte " + std::to_string(size) +
         ", no end-of-image marker)";
}

// An Adobe APP14 segment tells that 4-component data is stored inverted (Photoshop convention).
bool HasAdobeMarker(std::span<const uint8_t> bytes) {
  const JpegHeaderScan scan = ScanJpegHeader(bytes);
  for (const JpegSegment& s : scan.segments) {
    if (s.marker == 0xEE && s.length >= 5 && std::memcmp(&bytes[s.payload], "Adobe", 5) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<ImageInfo> ReadJpegInfo(std::span<const uint8_t> bytes) {
  // Our own walk first: libjpeg pads a short header with a fake EOI and may then "succeed" with
  // a 0x0 image, which would hide that the file was cut.
  const JpegHeaderScan scan = ScanJpegHeader(bytes);
  if (scan.sos_start == 0) {
    const std::string where =
        "at byte " + std::to_string(scan.stopped_at) + " of " + std::to_string(bytes.size());
    if (scan.truncated)
      return MakeError("truncated", "truncated JPEG header (data ends " + where + ")");
    return MakeError("corrupt", "corrupt JPEG header (no marker where one must be, " + where + ")");
  }
  // One handle per thread, reused: creating one allocates libjpeg's state every time.
  thread_local TjDecompressor tj;
  if (tj.get() == nullptr) return MakeError("unsupported", "cannot initialise TurboJPEG");
  ResetUnlessDone reset_guard(tj);
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsamp,
                          &colorspace) != 0) {
    const std::string msg = tj.ErrorString();
    if (SaysTruncated(msg)) {
      return MakeError("truncated", "truncated JPEG header (data ends at byte " +
                                        std::to_string(bytes.size()) + ")");
    }
    if (Contains(msg, "subsampling")) {
      return MakeError("unsupported", "unsupported JPEG (" + msg + ")");
    }
    return MakeError("corrupt", "corrupt JPEG header (" + msg + ")");
  }
  ImageInfo info;
  info.format = ImageFormat::kJpeg;
  info.width = width;
  info.height = height;
  info.channels = colorspace == TJCS_GRAY                                ? 1
                  : (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) ? 4
                                                                         : 3;
  info.bits_per_sample = 8;
  info.orientation = ParseExifOrientation(bytes);
  reset_guard.Done();
  return info;
}

void ChooseJpegScale(int width, int height, int min_long_side, int* num, int* denom) {
  *num = 1;
  *denom = 1;
  if (min_long_side <= 0) return;
  const int long_side = std::max(width, height);
  for (int d : {8, 4, 2}) {
    // Same rounding as TJSCALED: libjpeg rounds scaled sizes up.
    if ((long_side + d - 1) / d >= min_long_side) {
      *denom = d;
      return;
    }
  }
}

Result<DecodedImage> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  if (Status s = ValidateDecodeOptions(options); !s) return s.error();
  Result<ImageInfo> info = ReadJpegInfo(bytes);
  if (!info) return info.error();
  if (Status s = CheckPixelLimit(*info, options); !s) return s.error();

  // Cheap and exact: without EOI after the scan data the file was cut short. Checking first
  // saves decoding a whole image only to throw it away.
  const JpegHeaderScan scan = ScanJpegHeader(bytes);
  const bool has_eoi = scan.sos_start != 0 && JpegHasEoiAfter(bytes, scan.sos_start);
  if (!has_eoi && !options.allow_truncated) {
    return MakeError("truncated", TruncatedMessage(bytes.size()));
  }

  DecodedImage out;
  out.info = *info;
  ChooseJpegScale(info->width, info->height, options.min_long_side, &out.scale_num,
                  &out.scale_denom);
  const int width = (info->width + out.scale_denom - 1) / out.scale_denom;
  const int height = (info->height + out.scale_denom - 1) / out.scale_denom;
  const bool cmyk = info->channels == 4;
  const int decode_channels = cmyk ? 4 : options.channels;
  const int pixel_format = cmyk                    ? TJPF_CMYK
                           : options.channels == 1 ? TJPF_GRAY
                           : options.channels == 3 ? TJPF_RGB
                                                   : TJPF_RGBA;

  std::vector<uint8_t> cmyk_buffer;
  out.image.width = width;
  out.image.height = height;
  out.image.channels = options.channels;
  out.image.type = SampleType::kU8;
  std::vector<uint8_t>& target = cmyk ? cmyk_buffer : out.image.data;
  if (Status s = AllocateBuffer(target, size_t(width) * height * decode_channels); !s) {
    return s.error();
  }

  // One handle per thread, reused: creating one allocates libjpeg's state every time.
  thread_local TjDecompressor tj;
  if (tj.get() == nullptr) return MakeError("unsupported", "cannot initialise TurboJPEG");
  ResetUnlessDone reset_guard(tj);
  // LIMITSCANS stops progressive files with hundreds of scans (a known CPU bomb). Stopping on the
  // first warning makes a truncated or damaged scan an error instead of a grey-filled image.
  const int base_flags = TJFLAG_LIMITSCANS;
  int flags = base_flags | (options.allow_truncated ? 0 : TJFLAG_STOPONWARNING);
  int rc = tjDecompress2(tj.get(), bytes.data(), bytes.size(), target.data(), width, 0, height,
                         pixel_format, flags);
  if (rc != 0 && tjGetErrorCode(tj.get()) == TJERR_WARNING && !options.allow_truncated) {
    const std::string msg = tj.ErrorString();
    if (SaysTruncated(msg)) return MakeError("truncated", TruncatedMessage(bytes.size()));
    // Stray bytes between segments are common in camera files and harmless: decode again
    // without stopping on warnings. Anything else means damaged entropy-coded data.
    if (!Contains(msg, "extraneous bytes")) {
      return MakeError("corrupt", "corrupt JPEG data (" + msg + ")");
    }
    rc = tjDecompress2(tj.get(), bytes.data(), bytes.size(), target.data(), width, 0, height,
                       pixel_format, base_flags);
  }
  if (rc != 0 && tjGetErrorCode(tj.get()) != TJERR_WARNING) {
    const std::string msg = tj.ErrorString();
    if (!has_eoi || SaysTruncated(msg)) {
      return MakeError("truncated", TruncatedMessage(bytes.size()));
    }
    if (Contains(msg, "Unsupported") || Contains(msg, "unsupported")) {
      return MakeError("unsupported", "unsupported JPEG (" + msg + ")");
    }
    return MakeError("corrupt", "corrupt JPEG (" + msg + ")");
  }

  if (cmyk) {
    if (Status s = AllocateBuffer(out.image.data, size_t(width) * height * options.channels); !s) {
      return s.error();
    }
    CmykToChannels(cmyk_buffer.data(), HasAdobeMarker(bytes), out.image.data.data(),
                   options.channels, size_t(width) * height);
  }
  if (rc == 0) reset_guard.Done();  // after a tolerated warning, start the next image afresh
  return out;
}

}  // namespace imgpipe
