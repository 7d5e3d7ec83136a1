// Private to the SMTP server: the SASL mechanisms of AUTH (RFC 4954) that faxgate offers,
// PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login), as pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faxgate::mail {

// The LOGIN challenges, base64 of "Username:" and "Password:".
inline constexpr std::string_view kSaslLoginUserChallenge = "VXNlcm5hbWU6";
inline constexpr std::string_view kSaslLoginPasswordChallenge = "UGFzc3dvcmQ6";

// Strict base64 (RFC 4648 4, padding required); nullopt for anything else. "=" alone is the
// empty response of RFC 4954 section 4.
std::optional<std::string> DecodeSaslBase64(std::string_view text);

struct SaslCredentials {
  std::string user;
  std::string password;
};

// PLAIN: authzid NUL authcid NUL password, base64. nullopt when malformed, or when it asks to
// act as someone else (an authzid other than the user): faxgate has no proxy users.
std::optional<SaslCredentials> DecodeSaslPlain(std::string_view base64);

}  // namespace faxgate::mail
