// Open Images (v5/v6 CSV layout: annotations/*-annotations-bbox.csv, class descriptions, image
// lists, images.meta; images/<subset>/<ImageID>.<ext>). Its CSV rows: csv.h.
#pragma once

#include "formats/labels/csv.h"
#include "formats/labels/dataset.h"

namespace imgpipe::labels {

extern const Format kOpenImagesFormat;

}  // namespace imgpipe::labels
