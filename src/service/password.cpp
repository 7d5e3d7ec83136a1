#include "service/password.h"

#include <argon2.h>
#include <openssl/rand.h>

namespace faxgate {
namespace {

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19 * 1024;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltLen = 16;
constexpr size_t kHashLen = 32;

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
  unsigned char salt[kSaltLen];
  RAND_bytes(salt, sizeof salt);
  size_t len = argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltLen, kHashLen, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(),
                                 salt, sizeof salt, kHashLen, encoded.data(), len);
  if (rc != ARGON2_OK) {
    return MakeError(ErrorCode::kInternal,
                     std::string("cannot hash the password: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0') == std::string::npos ? len : encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.empty()) return false;
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string GeneratePassword() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  std::string out;
  for (unsigned char c : raw) out += kAlphabet[c % (sizeof kAlphabet - 1)];
  return out;
}

}  // namespace faxgate
