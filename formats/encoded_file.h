// Turning an image file on disk into a record's `encoded` payload (img-cat, img-decode).
#pragma once

#include <cstdint>

#include "libcommon/record.h"
#include "libcommon/result.h"

namespace imgpipe {

// Sets the record's payload to the bytes of the file its `path` names, with `mime`, `bytes` and
// `sha256`, and `id` (the file name without extension) when it has none. Fails with "io" (cannot
// read), "too-large" (over max_bytes) or "unsupported" (not a known image format).
Status AttachEncodedFile(Record& record, uint64_t max_bytes);

// Sets `mime`, `bytes` and `sha256` from the record's encoded payload.
void DescribeEncodedPayload(Record& record);

}  // namespace imgpipe
