// CRC32C and SHA-256 against published vectors, a bitwise reference, and split/alignment cases.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "libcommon/crc32c.h"
#include "libcommon/sha256.h"

namespace imgpipe {
namespace {

uint32_t Crc(const std::string& s) { return Crc32c(0, s.data(), s.size()); }

// The definition, one bit at a time: reflected polynomial 0x82F63B78, init and final XOR ~0.
uint32_t Crc32cBitwise(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32cTest, CheckValue) { EXPECT_EQ(Crc("123456789"), 0xE3069283u); }

TEST(Crc32cTest, EmptyIsZero) {
  EXPECT_EQ(Crc32c(0, nullptr, 0), 0u);
  EXPECT_EQ(Crc32c(0xE3069283u, "", 0), 0xE3069283u);
}

// RFC 3720 (iSCSI) appendix B.4.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), inc(32), dec(32);
  for (int i = 0; i < 32; ++i) inc[i] = uint8_t(i), dec[i] = uint8_t(31 - i);
  EXPECT_EQ(Crc32c(0, zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(0, ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(0, inc.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(0, dec.data(), 32), 0x113FDB5Cu);
}

TEST(Crc32cTest, MatchesBitwiseReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(12345);
  std::vector<uint8_t> data(600);
  for (auto& b : data) b = uint8_t(rng());
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= 300; ++n) {
      ASSERT_EQ(Crc32c(0, data.data() + offset, n), Crc32cBitwise(data.data() + offset, n))
          << "offset " << offset << " length " << n;
    }
  }
}

// Long inputs take the folding path (PCLMULQDQ where the CPU has it): every length from 64 to
// 1100 (all four-lane, one-lane and tail combinations), then long random ones, each from a
// nonzero register, against the table-driven version.
TEST(Crc32cTest, LongInputsMatchThePortableVersion) {
  std::mt19937 rng(777);
  std::vector<uint8_t> data(300000);
  for (auto& b : data) b = uint8_t(rng());
  for (size_t n = 64; n <= 1100; ++n) {
    const uint32_t init = uint32_t(rng());
    ASSERT_EQ(Crc32c(init, data.data() + n % 7, n), Crc32cPortableForTest(init, data.data() + n % 7, n))
        << "length " << n;
  }
  for (int i = 0; i < 40; ++i) {
    const size_t off = rng() % 64, n = rng() % (data.size() - off);
    const uint32_t init = uint32_t(rng());
    ASSERT_EQ(Crc32c(init, data.data() + off, n), Crc32cPortableForTest(init, data.data() + off, n))
        << "offset " << off << " length " << n;
  }
}

TEST(Crc32cTest, IncrementalEqualsOneShotAtEverySplit) {
  std::string s;
  for (int i = 0; i < 100; ++i) s.push_back(char(i * 37 + 11));
  const uint32_t whole = Crc(s);
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    uint32_t c = Crc32c(0, s.data(), cut);
    c = Crc32c(c, s.data() + cut, s.size() - cut);
    ASSERT_EQ(c, whole) << "split at " << cut;
  }
}

std::string Sha(const std::string& s) { return Sha256Hex(s.data(), s.size()); }

// FIPS 180-4 / NIST CAVP example vectors.
TEST(Sha256Test, FipsVectors) {
  EXPECT_EQ(Sha(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                "klmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256Test, OneMillionA) {
  EXPECT_EQ(Sha(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Padding boundaries: 55 bytes fit one final block, 56 need two; 64 and 120 likewise
// (values from coreutils sha256sum).
TEST(Sha256Test, PaddingBoundaries) {
  EXPECT_EQ(Sha(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(Sha(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(Sha(std::string(63, 'a')),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(Sha(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(Sha(std::string(119, 'a')),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(Sha(std::string(120, 'a')),
            "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

// 1 MiB of every byte value (python hashlib at test-writing time).
TEST(Sha256Test, OneMebibyteOfAllByteValues) {
  std::string s;
  s.reserve(1 << 20);
  for (int r = 0; r < 4096; ++r)
    for (int b = 0; b < 256; ++b) s.push_back(char(b));
  EXPECT_EQ(Sha(s), "fbbab289f7f94b25736c58be46a994c441fd02552cc6022352e3d86d2fab7c83");
}

}  // namespace
}  // namespace imgpipe
