// --from auto: which label format a file or folder holds.
#pragma once

#include <string>

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

// "-" and *.ndjson/*.jsonl are the record stream; otherwise the first format whose detect()
// accepts `path` (DetectFormat's order). nullptr when none does.
const Format* DetectInput(const std::string& path);


}  // namespace imgpipe::labels
