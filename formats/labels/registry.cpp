// The list of label formats. Each format file defines its `const Format kXxxFormat`; naming
// them here (strongly) is also what pulls their object files out of the static library.
#include "formats/labels/dataset.h"

namespace imgpipe::labels {

#define IMGPIPE_LABEL_FORMATS(X) \
  X(kNdjsonFormat)               \
  X(kCocoFormat)                 \
  X(kVocFormat)                  \
  X(kYoloFormat)                 \
  X(kCreateMlFormat)             \
  X(kCvatFormat)                 \
  X(kOpenImagesFormat)           \
  X(kImageNetFormat)             \
  X(kLabelMeFormat)              \
  X(kHfFormat)

#define IMGPIPE_DECLARE(name) extern const Format name;
IMGPIPE_LABEL_FORMATS(IMGPIPE_DECLARE)
#undef IMGPIPE_DECLARE

const std::vector<const Format*>& AllFormats() {
  static const std::vector<const Format*> formats = [] {
    std::vector<const Format*> all;
#define IMGPIPE_ADD(name) all.push_back(&name);
    IMGPIPE_LABEL_FORMATS(IMGPIPE_ADD)
#undef IMGPIPE_ADD
    return all;
  }();
  return formats;
}

const Format* FindFormat(const std::string& name) {
  for (const Format* f : AllFormats())
    if (name == f->name) return f;
  return nullptr;
}

const Format* DetectFormat(const std::string& path) {
  for (const Format* f : AllFormats())
    if (f->name != std::string("ndjson") && f->detect && f->detect(path)) return f;
  return nullptr;
}

std::optional<int> ClassIndex(Dataset& dataset, const std::string& name, bool allow_new) {
  for (size_t i = 0; i < dataset.classes.size(); ++i)
    if (dataset.classes[i] == name) return int(i);
  if (!allow_new) return std::nullopt;
  dataset.classes.push_back(name);
  return int(dataset.classes.size() - 1);
}

}  // namespace imgpipe::labels
