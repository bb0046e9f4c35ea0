// SHA-256 through OpenSSL's libcrypto, which picks SHA-NI / AVX2 code at run time (several times
// faster than portable C, and img-cat hashes every file it reads).
#include "libcommon/sha256.h"

#include <openssl/evp.h>

namespace imgpipe {

std::string Sha256Hex(const void* data, size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, size, digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace imgpipe
