// T.38 in SDP (reference/sip-t38.md section 4), private to src/sip: reading the attributes of
// one m=image stream leniently, agreeing on the parameters in force, and writing them out.
#pragma once

#include <optional>
#include <vector>

#include "sip/media_negotiation.h"
#include "sip/sdp.h"

namespace faxgate::t38_sdp {

// The stream's attributes over the T38Description defaults. Names are case-insensitive;
// T38FaxMaxRate and T38MaxDatagram count as aliases; numbers out of range keep the default;
// booleans by presence or as `:0/:1`. Of several T38FaxUdpEC lines, `ours` wins when listed,
// then redundancy, FEC, none.
T38Description Read(const SdpMedia& stream, std::optional<T38ErrorCorrection> ours);

// 0 (or absent) reads as 400, above 1400 as 1400 (section 7.4).
int FarMaxDatagram(int announced);

struct Agreement {
  T38Description in_force;
  int far_max_datagram = 400;
};

// What holds between us and the peer whose stream this is: the lower version and bit rate,
// their rate management and error correction, booleans only where both say yes, our buffer
// and datagram, their boolean style. The same rule whether their stream is an offer we answer
// or the answer to our offer, so reading our own answer back gives what we answered.
Agreement Agree(const T38Description& ours, const SdpMedia& theirs);

// The a= lines for a description, in FreeSWITCH's order and the description's boolean style.
std::vector<SdpAttribute> Attributes(const T38Description& description);

}  // namespace faxgate::t38_sdp
