// XML label files read safely (see xml_file.h).
#include "formats/labels/xml_file.h"

#include "formats/labels/conventions_io.h"

namespace imgpipe::labels {

Result<std::string> LoadSafeXml(const std::string& path, uint64_t max_bytes) {
  auto text = ReadTextFile(path, max_bytes);
  if (!text) return text.error();
  // pugixml does not expand entities it has not been told about, but a DTD is never needed in
  // label files: refuse it outright (billion laughs, external entities).
  for (const char* bad : {"<!DOCTYPE", "<!doctype", "<!ENTITY", "<!entity"})
    if (size_t at = text->find(bad); at != std::string::npos)
      return MakeError("unsafe-xml", path + ":" + std::to_string(LineOf(*text, at)) +
                                         ": XML with a DTD or entity declarations is refused");
  return text;
}

Result<std::string> ParseSafeXml(pugi::xml_document& doc, const std::string& path, uint64_t max_bytes) {
  auto text = LoadSafeXml(path, max_bytes);
  if (!text) return text.error();
  // pugixml keeps pointers into its own copy of the buffer (load_buffer copies).
  pugi::xml_parse_result res = doc.load_buffer(text->data(), text->size(), pugi::parse_default);
  if (!res)
    return MakeError("bad-xml", path + ":" + std::to_string(LineOf(*text, size_t(res.offset))) +
                                    ": malformed XML: " + res.description());
  return text;
}

}  // namespace imgpipe::labels
