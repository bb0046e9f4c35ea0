// img-aug's operation list: the --ops syntax, the --ops-file JSON, the canonical form (--print-ops).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe::aug {

// One named value: numbers (a scalar, a range [lo, hi], a size [w, h], a list) or a string.
struct Value {
  std::string key;
  std::vector<double> nums;
  std::string str;
  bool is_str = false;
  bool is_list = false;  // written as a JSON array even with one element
};

// One operation of the pipeline as configured (ranges, not yet drawn).
struct OpSpec {
  std::string op;  // canonical name
  double p = 1.0;
  std::vector<Value> params;
  std::vector<OpSpec> children;  // one_of

  const Value* Find(std::string_view key) const;
  double Num(std::string_view key, size_t i = 0, double fallback = 0) const;
  std::string Str(std::string_view key, std::string fallback = "") const;
};

struct OpList {
  std::vector<OpSpec> ops;
};

// `name[=v,...][,key=value...];...` (see man img-aug). Errors name the op and the problem.
Result<OpList> ParseOpsSpec(std::string_view text);
// {"version":1,"ops":[{"op":"rrc","p":1,"size":[224,224],...},...]}; missing params get defaults.
Result<OpList> ParseOpsJson(std::string_view text);
// The canonical JSON (every parameter, resolved), one line; ParseOpsJson reads it back exactly.
std::string OpsToJson(const OpList& ops);

bool IsGeometric(std::string_view op);

// One parameter of an op, for the man page and --help.
struct ParamDoc {
  std::string key, default_text, meaning;
};
struct OpDoc {
  std::string op, aliases, summary;
  std::vector<ParamDoc> params;
};
const std::vector<OpDoc>& OpDocs();

// Writes `values` as JSON members ("key":value,...) with numbers in shortest round-trip form.
void AppendValues(std::string* out, const std::vector<Value>& values);

}  // namespace imgpipe::aug
