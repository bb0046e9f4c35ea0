// Pascal VOC XML: the safe XML loader other XML formats (CVAT) can share.
#pragma once

#include <cstdint>
#include <string>

#include "libcommon/result.h"

namespace imgpipe::labels {

// Reads an XML file, refusing (code "unsafe-xml") any DTD or entity declaration before parsing:
// parse the result with pugi::parse_default (no parse_doctype).
Result<std::string> LoadSafeXml(const std::string& path, uint64_t max_bytes);

}  // namespace imgpipe::labels
