// LabelMe JSON (wkentaro/labelme: one JSON file per image with `shapes`).
#pragma once

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

extern const Format kLabelMeFormat;

}  // namespace imgpipe::labels
