// faxstat's listings (HylaFAX default formats, reference/hylafax.md §11), so that people and
// scripts used to `faxstat -s/-d/-r` read faxgate's the same way.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace faxgate {

// JobFmt "%-4j %3i %1a %6.6o %-12.12e %5P %5D %7z %.25s"
inline constexpr const char* kJobHeader =
    "JID  Pri S  Owner Number       Pages Dials     TTS Status";
// RcvFmt "%-7m %4p%1z %-8.8o %14.14s %7t %f"
inline constexpr const char* kReceivedHeader =
    "Protect Page  Owner        Sender/TSI  Recvd@ Filename";

std::string FormatJobRow(const nlohmann::json& fax, TimePoint now);
std::string FormatReceivedRow(const nlohmann::json& fax, TimePoint now);
// HylaFAX's compact time: HH:MM today, Sun06PM within a week, 25Dec95 beyond; `future` picks
// the direction (time to send vs. time received); empty for a future time already past.
std::string CompactTime(TimePoint t, TimePoint now, bool future);
// The state letter from "?TPSBWRDF".
char StateLetter(const std::string& status);

}  // namespace faxgate
