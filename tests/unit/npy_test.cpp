// .npy headers (64-byte aligned, parseable), CRC-32 check value, and STORED zip round trips.
#include <gtest/gtest.h>

#include "formats/containers/npy.h"

namespace imgpipe {
namespace {

TEST(NpyTest, HeaderIsAlignedAndParses) {
  for (auto shape : {std::vector<int64_t>{5}, std::vector<int64_t>{2, 3, 224, 224}, std::vector<int64_t>{}}) {
    auto h = NpyHeader("<f4", shape);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->size() % 64, 0u);
    EXPECT_EQ(h->back(), '\n');
    size_t elems = 1;
    for (auto d : shape) elems *= size_t(d);
    std::vector<uint8_t> file(h->begin(), h->end());
    file.resize(file.size() + elems * 4);
    auto info = ParseNpy(file);
    ASSERT_TRUE(info.ok()) << info.error().message << "\n" << *h;
    EXPECT_EQ(info->descr, "<f4");
    EXPECT_EQ(info->shape, shape);
    EXPECT_FALSE(info->fortran_order);
    EXPECT_EQ(info->data_offset, h->size());
    file.pop_back();
    EXPECT_FALSE(ParseNpy(file).ok());
  }
  EXPECT_NE(NpyHeader("<f4", {7})->find("'shape': (7,)"), std::string::npos);
  EXPECT_NE(NpyHeader("<f4", {2, 3})->find("'shape': (2, 3)"), std::string::npos);
  // Reserved room: a bigger header that still parses the same.
  auto padded = NpyHeader("|u1", {1, 2}, 256);
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->size(), 256u);
  EXPECT_EQ(NpyDescr("bf16"), "<u2");
  EXPECT_EQ(NpyDescr("f16"), "<f2");
  EXPECT_EQ(NpyDescr("nope"), "");
}

TEST(NpyTest, Crc32CheckValue) {
  EXPECT_EQ(Crc32(0, "123456789", 9), 0xCBF43926u);
  EXPECT_EQ(Crc32(Crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

TEST(NpyTest, StoredZipRoundTripChecksCrc) {
  std::string a = "first entry", b = std::string(3000, 'q');
  ZipEntryInfo ea{"a.npy", Crc32(0, a.data(), a.size()), uint32_t(a.size()), 0};
  std::string zip = ZipLocalHeader(ea) + a;
  ZipEntryInfo eb{"b.npy", Crc32(0, b.data(), b.size()), uint32_t(b.size()), uint32_t(zip.size())};
  zip += ZipLocalHeader(eb) + b;
  zip += ZipDirectory({ea, eb}, uint32_t(zip.size()));
  std::vector<uint8_t> bytes(zip.begin(), zip.end());
  auto members = ReadStoredZip(bytes);
  ASSERT_TRUE(members.ok()) << members.error().message;
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[1].name, "b.npy");
  EXPECT_EQ((*members)[1].data.size(), 3000u);
  bytes[40] ^= 0xFF;  // inside a's data
  EXPECT_FALSE(ReadStoredZip(bytes).ok());
}

}  // namespace
}  // namespace imgpipe
