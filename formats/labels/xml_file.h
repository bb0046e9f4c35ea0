// XML label files (VOC, CVAT) read safely: a DTD or entity declaration is refused before parsing
// (no billion laughs, no external entities).
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <string>

#include "libcommon/result.h"

namespace imgpipe::labels {

// Reads an XML file, refusing (code "unsafe-xml", with the line) any DTD or entity declaration.
// Parse the result with pugi::parse_default (no parse_doctype).
Result<std::string> LoadSafeXml(const std::string& path, uint64_t max_bytes);

// LoadSafeXml, then parses it into `doc` (pugi::parse_default; "bad-xml" with the line when
// malformed). Returns the text, for LineOf() on node offsets.
Result<std::string> ParseSafeXml(pugi::xml_document& doc, const std::string& path, uint64_t max_bytes);

}  // namespace imgpipe::labels
