// Example { Features features = 1; }  Features { map<string, Feature> feature = 1; }
// Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
// XList { repeated value = 1; }  (numbers packed, as TensorFlow writes them)
#include "formats/containers/example_proto.h"

#include <cstring>

namespace imgpipe {
namespace {

void Varint(std::string* out, uint64_t v) {
  while (v >= 0x80) out->push_back(char(v | 0x80)), v >>= 7;
  out->push_back(char(v));
}
void LengthDelimited(std::string* out, int field, const std::string& payload) {
  Varint(out, uint64_t(field) << 3 | 2);
  Varint(out, payload.size());
  out->append(payload);
}

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) return false;
      const uint8_t b = *p++;
      *v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  // Next field: number, wire type, and for type 2 the payload.
  bool Field(int* field, int* type, std::span<const uint8_t>* payload, uint64_t* value) {
    uint64_t tag;
    if (!Varint(&tag)) return false;
    *field = int(tag >> 3);
    *type = int(tag & 7);
    switch (*type) {
      case 0: return Varint(value);
      case 1: if (end - p < 8) return false; std::memcpy(value, p, 8); p += 8; return true;
      case 5: { if (end - p < 4) return false; uint32_t v; std::memcpy(&v, p, 4); *value = v; p += 4; return true; }
      case 2: {
        uint64_t len;
        if (!Varint(&len) || len > uint64_t(end - p)) return false;
        *payload = {p, size_t(len)};
        p += len;
        return true;
      }
      default: return false;
    }
  }
};

Error Bad(const std::string& what) { return MakeError("corrupt", "Example protobuf: " + what); }

Result<FeatureValue> ParseFeature(std::span<const uint8_t> b) {
  FeatureValue f;
  Reader r{b.data(), b.data() + b.size()};
  int field, type;
  std::span<const uint8_t> list;
  uint64_t value;
  while (r.p < r.end) {
    if (!r.Field(&field, &type, &list, &value) || type != 2) return Bad("bad Feature");
    f.kind = field == 1 ? FeatureValue::kBytes : field == 2 ? FeatureValue::kFloat : FeatureValue::kInt64;
    Reader lr{list.data(), list.data() + list.size()};
    int lf, lt;
    std::span<const uint8_t> item;
    uint64_t v;
    while (lr.p < lr.end) {
      if (!lr.Field(&lf, &lt, &item, &v) || lf != 1) return Bad("bad list");
      if (field == 1) {
        if (lt != 2) return Bad("bytes value of wrong wire type");
        f.bytes.emplace_back(reinterpret_cast<const char*>(item.data()), item.size());
      } else if (field == 2) {
        if (lt == 5) { float x; uint32_t u = uint32_t(v); std::memcpy(&x, &u, 4); f.floats.push_back(x); }
        else if (lt == 2 && item.size() % 4 == 0) {
          for (size_t i = 0; i < item.size(); i += 4) { float x; std::memcpy(&x, item.data() + i, 4); f.floats.push_back(x); }
        } else return Bad("float list of wrong wire type");
      } else {
        if (lt == 0) f.ints.push_back(int64_t(v));
        else if (lt == 2) {
          Reader ir{item.data(), item.data() + item.size()};
          while (ir.p < ir.end) { uint64_t x; if (!ir.Varint(&x)) return Bad("bad packed varint"); f.ints.push_back(int64_t(x)); }
        } else return Bad("int64 list of wrong wire type");
      }
    }
  }
  return f;
}

}  // namespace

void ExampleBuilder::AddBytes(const std::string& key, std::vector<std::string> values) {
  std::string list;
  for (const std::string& v : values) LengthDelimited(&list, 1, v);
  std::string feature;
  LengthDelimited(&feature, 1, list);
  features_.push_back({key, std::move(feature)});
}

void ExampleBuilder::AddInt64(const std::string& key, std::vector<int64_t> values) {
  std::string packed;
  for (int64_t v : values) Varint(&packed, uint64_t(v));
  std::string list;
  if (!values.empty()) LengthDelimited(&list, 1, packed);
  std::string feature;
  LengthDelimited(&feature, 3, list);
  features_.push_back({key, std::move(feature)});
}

void ExampleBuilder::AddFloat(const std::string& key, std::vector<float> values) {
  std::string packed(values.size() * 4, '\0');
  if (!values.empty()) std::memcpy(packed.data(), values.data(), packed.size());  // little-endian host
  std::string list;
  if (!values.empty()) LengthDelimited(&list, 1, packed);
  std::string feature;
  LengthDelimited(&feature, 2, list);
  features_.push_back({key, std::move(feature)});
}

std::string ExampleBuilder::Serialize() const {
  std::string features;
  for (const auto& [key, feature] : features_) {
    std::string entry;
    LengthDelimited(&entry, 1, key);
    LengthDelimited(&entry, 2, feature);
    LengthDelimited(&features, 1, entry);
  }
  std::string example;
  LengthDelimited(&example, 1, features);
  return example;
}

Result<std::map<std::string, FeatureValue>> ParseExample(std::span<const uint8_t> b) {
  std::map<std::string, FeatureValue> out;
  Reader r{b.data(), b.data() + b.size()};
  int field, type;
  std::span<const uint8_t> features;
  uint64_t value;
  while (r.p < r.end) {
    if (!r.Field(&field, &type, &features, &value)) return Bad("truncated Example");
    if (field != 1 || type != 2) continue;
    Reader fr{features.data(), features.data() + features.size()};
    std::span<const uint8_t> entry;
    while (fr.p < fr.end) {
      if (!fr.Field(&field, &type, &entry, &value) || field != 1 || type != 2) return Bad("bad Features");
      Reader er{entry.data(), entry.data() + entry.size()};
      std::string key;
      std::span<const uint8_t> part, feature;
      while (er.p < er.end) {
        if (!er.Field(&field, &type, &part, &value) || type != 2) return Bad("bad map entry");
        if (field == 1) key.assign(reinterpret_cast<const char*>(part.data()), part.size());
        else if (field == 2) feature = part;
      }
      auto f = ParseFeature(feature);
      if (!f) return f.error();
      out[key] = std::move(f.value());
    }
  }
  return out;
}

}  // namespace imgpipe
