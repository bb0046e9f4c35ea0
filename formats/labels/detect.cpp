// --from auto (see detect.h).
#include "formats/labels/detect.h"

namespace imgpipe::labels {

const Format* DetectInput(const std::string& path) {
  if (const Format* nd = FindFormat("ndjson"); nd && nd->detect && nd->detect(path)) return nd;
  return DetectFormat(path);
}

}  // namespace imgpipe::labels
