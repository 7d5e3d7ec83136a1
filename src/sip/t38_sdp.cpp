#include "sip/t38_sdp.h"

#include <algorithm>
#include <initializer_list>

#include "sip/sdp_text.h"

namespace faxgate::t38_sdp {
namespace {

using sdp_text::Attribute;
using sdp_text::EqualsIgnoreCase;
using sdp_text::Flag;
using sdp_text::ParseInt;
using sdp_text::Trim;

constexpr int kDefaultFarMaxDatagram = 400;
constexpr int kFarMaxDatagramLimit = 1400;

// The first attribute with any of these names (aliases of one parameter).
const SdpAttribute* FindAny(const SdpMedia& m, std::initializer_list<std::string_view> names) {
  for (const SdpAttribute& a : m.attributes)
    for (std::string_view name : names)
      if (EqualsIgnoreCase(a.name, name)) return &a;
  return nullptr;
}

void ReadNumber(const SdpMedia& m, std::initializer_list<std::string_view> names, int min, int max,
                int& out) {
  const SdpAttribute* a = FindAny(m, names);
  if (a == nullptr || !a->has_value) return;
  auto value = ParseInt(Trim(a->value), max);
  if (value && *value >= min) out = *value;
}

// RFC 4612: a boolean is true by its presence. Some stacks write `:0`/`:1` instead (Vega, Cisco
// CUBE); we read the value as written, so `T38FaxFillBitRemoval:0` is false (Asterisk reads it
// as true, which is the bug, not the standard).
void ReadBoolean(const SdpMedia& m, std::string_view name, bool& out, bool& value_style) {
  const SdpAttribute* a = m.Find(name);
  if (a == nullptr) return;
  std::string_view value = Trim(a->value);
  out = true;
  if (value.empty()) return;
  value_style = true;
  if (value == "0" || EqualsIgnoreCase(value, "false")) out = false;
}

constexpr unsigned Bit(T38ErrorCorrection ec) { return 1u << static_cast<unsigned>(ec); }

// Every T38FaxUdpEC line names one scheme; an offer may list several.
unsigned ErrorCorrectionSchemes(const SdpMedia& m) {
  unsigned schemes = 0;
  for (const SdpAttribute& a : m.attributes) {
    if (!EqualsIgnoreCase(a.name, "T38FaxUdpEC")) continue;
    std::string_view value = Trim(a.value);
    if (EqualsIgnoreCase(value, "t38UDPRedundancy"))
      schemes |= Bit(T38ErrorCorrection::kRedundancy);
    if (EqualsIgnoreCase(value, "t38UDPFEC")) schemes |= Bit(T38ErrorCorrection::kFec);
    if (EqualsIgnoreCase(value, "t38UDPNoEC")) schemes |= Bit(T38ErrorCorrection::kNone);
  }
  return schemes;
}

// Ours when listed; otherwise redundancy (what every stack implements and the captures show),
// then FEC, then none. Nothing recognisable listed: the default.
T38ErrorCorrection ChooseErrorCorrection(unsigned schemes, std::optional<T38ErrorCorrection> ours,
                                         T38ErrorCorrection fallback) {
  if (ours && (schemes & Bit(*ours))) return *ours;
  for (T38ErrorCorrection ec :
       {T38ErrorCorrection::kRedundancy, T38ErrorCorrection::kFec, T38ErrorCorrection::kNone})
    if (schemes & Bit(ec)) return ec;
  return fallback;
}

std::string_view ToString(T38ErrorCorrection ec) {
  switch (ec) {
    case T38ErrorCorrection::kRedundancy:
      return "t38UDPRedundancy";
    case T38ErrorCorrection::kFec:
      return "t38UDPFEC";
    case T38ErrorCorrection::kNone:
      return "t38UDPNoEC";
  }
  return "t38UDPRedundancy";
}

}  // namespace

T38Description Read(const SdpMedia& m, std::optional<T38ErrorCorrection> ours) {
  T38Description d;
  ReadNumber(m, {"T38FaxVersion"}, 0, 255, d.version);
  ReadNumber(m, {"T38MaxBitRate", "T38FaxMaxRate"}, 2400, 33600, d.max_bit_rate);
  ReadNumber(m, {"T38FaxMaxBuffer"}, 0, 1 << 24, d.max_buffer);
  ReadNumber(m, {"T38FaxMaxDatagram", "T38MaxDatagram"}, 0, 65535, d.max_datagram);
  if (const SdpAttribute* a = m.Find("T38FaxRateManagement")) {
    std::string_view value = Trim(a->value);
    if (EqualsIgnoreCase(value, "localTCF")) d.transferred_tcf = false;
    if (EqualsIgnoreCase(value, "transferredTCF")) d.transferred_tcf = true;
  }
  d.error_correction = ChooseErrorCorrection(ErrorCorrectionSchemes(m), ours, d.error_correction);
  ReadBoolean(m, "T38FaxFillBitRemoval", d.fill_bit_removal, d.value_style_booleans);
  ReadBoolean(m, "T38FaxTranscodingMMR", d.transcoding_mmr, d.value_style_booleans);
  ReadBoolean(m, "T38FaxTranscodingJBIG", d.transcoding_jbig, d.value_style_booleans);
  return d;
}

int FarMaxDatagram(int announced) {
  // Asterisk replaces values above 1400 by 400; a peer that says it takes 1440 takes 1400 too,
  // and 1400 keeps a datagram inside an Ethernet MTU, so we clamp instead.
  if (announced <= 0) return kDefaultFarMaxDatagram;
  return std::min(announced, kFarMaxDatagramLimit);
}

Agreement Agree(const T38Description& ours, const SdpMedia& theirs_stream) {
  T38Description theirs = Read(theirs_stream, ours.error_correction);
  T38Description agreed = ours;
  agreed.version = std::min(ours.version, theirs.version);
  agreed.max_bit_rate = std::min(ours.max_bit_rate, theirs.max_bit_rate);
  agreed.transferred_tcf = theirs.transferred_tcf;  // Vega answers localTCF to transferredTCF
  agreed.error_correction = theirs.error_correction;
  // We do not remove fill bits or transcode unless our preferences say we can.
  agreed.fill_bit_removal = ours.fill_bit_removal && theirs.fill_bit_removal;
  agreed.transcoding_mmr = ours.transcoding_mmr && theirs.transcoding_mmr;
  agreed.transcoding_jbig = ours.transcoding_jbig && theirs.transcoding_jbig;
  agreed.value_style_booleans = theirs.value_style_booleans;
  return {agreed, FarMaxDatagram(theirs.max_datagram)};
}

// FreeSWITCH's order. Booleans: in presence style only the true ones appear; in value style
// all three, as `:0`/`:1`. No error correction is written as t38UDPNoEC (rtpengine's spelling)
// because an absent line reads as redundancy.
std::vector<SdpAttribute> Attributes(const T38Description& d) {
  std::vector<SdpAttribute> out;
  out.push_back(Attribute("T38FaxVersion", std::to_string(d.version)));
  out.push_back(Attribute("T38MaxBitRate", std::to_string(d.max_bit_rate)));
  for (auto [name, on] : {std::pair{"T38FaxFillBitRemoval", d.fill_bit_removal},
                          std::pair{"T38FaxTranscodingMMR", d.transcoding_mmr},
                          std::pair{"T38FaxTranscodingJBIG", d.transcoding_jbig}}) {
    if (d.value_style_booleans)
      out.push_back(Attribute(name, on ? "1" : "0"));
    else if (on)
      out.push_back(Flag(name));
  }
  out.push_back(
      Attribute("T38FaxRateManagement", d.transferred_tcf ? "transferredTCF" : "localTCF"));
  out.push_back(Attribute("T38FaxMaxBuffer", std::to_string(d.max_buffer)));
  out.push_back(Attribute("T38FaxMaxDatagram", std::to_string(d.max_datagram)));
  out.push_back(Attribute("T38FaxUdpEC", std::string(ToString(d.error_correction))));
  return out;
}

}  // namespace faxgate::t38_sdp

namespace faxgate {

T38Description ParseT38Attributes(const SdpMedia& media) {
  return t38_sdp::Read(media, std::nullopt);
}

}  // namespace faxgate
