// Password hashing with argon2id (RFC 9106), in the PHC string format so parameters travel with
// the hash and can be raised later without breaking old hashes.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace faxgate {

Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);
// A password a person can type: 16 characters from an unambiguous alphabet.
std::string GeneratePassword();

}  // namespace faxgate
