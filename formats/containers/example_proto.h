// tf.train.Example, written by hand in the protobuf wire format (varints and length-delimited
// fields), and a small decoder for tests.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "libcommon/result.h"

namespace imgpipe {

// Features in the order added (a proto map has no order; TensorFlow accepts any).
class ExampleBuilder {
 public:
  void AddBytes(const std::string& key, std::vector<std::string> values);
  void AddInt64(const std::string& key, std::vector<int64_t> values);
  void AddFloat(const std::string& key, std::vector<float> values);
  // Serialized `tf.train.Example`.
  std::string Serialize() const;

 private:
  std::vector<std::pair<std::string, std::string>> features_;  // key, serialized Feature
};

struct FeatureValue {
  enum Kind { kBytes, kFloat, kInt64 } kind = kBytes;
  std::vector<std::string> bytes;
  std::vector<float> floats;
  std::vector<int64_t> ints;
};

// Decodes a serialized Example (packed and unpacked numeric lists both accepted).
Result<std::map<std::string, FeatureValue>> ParseExample(std::span<const uint8_t> bytes);

}  // namespace imgpipe
