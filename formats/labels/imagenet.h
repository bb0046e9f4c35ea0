// ImageNet-style classification datasets: a folder per class (torchvision ImageFolder), or the
// txt variant (<subset>.txt "path class_index" lines + synsets.txt).
#pragma once

#include "formats/labels/dataset.h"

namespace imgpipe::labels {

extern const Format kImageNetFormat;

}  // namespace imgpipe::labels
