// Hugging Face imagefolder with object-detection metadata (metadata.jsonl with an `objects`
// column).
#pragma once

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

extern const Format kHfFormat;

}  // namespace imgpipe::labels
