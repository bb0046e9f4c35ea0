// A COCO instances file parsed through a memory map, for big files: the parse keeps only where
// each annotation's `segmentation` is (a TextSpan), and the map's pages are given back to the
// kernel as the parse and the caller's reads move on. Memory then follows the index (ids, boxes,
// spans), not the file; the text is read again from the page cache when a span is read.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "formats/coco/coco_json.h"
#include "libcommon/result.h"

namespace imgpipe::coco {

class MappedInstances {
 public:
  // Maps and parses `path` (options.segmentation_spans and on_progress are set here).
  static Result<std::unique_ptr<MappedInstances>> Open(const std::string& path, ParseOptions options);
  ~MappedInstances();
  MappedInstances(const MappedInstances&) = delete;
  MappedInstances& operator=(const MappedInstances&) = delete;

  Instances instances;

  // The text of a span (valid as long as this object). Every `release_every` bytes read this
  // way, the pages read so far are released (the view stays valid: pages come back on access).
  std::string_view Read(const TextSpan& span);
  // Gives every page of the map back to the kernel.
  void Release();

  size_t release_every = size_t(8) << 20;

 private:
  MappedInstances() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t read_since_release_ = 0;
};

}  // namespace imgpipe::coco
