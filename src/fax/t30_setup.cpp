#include "fax/t30_setup.h"

#include <cmath>

#include <fmt/format.h>

#include "fax/tiff_document.h"

namespace faxgate {
namespace {

// spandsp copies file names into 256-byte arrays with strncpy.
constexpr size_t kMaxPathBytes = 255;

bool IsPrintableAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

Status CheckText(std::string_view what, std::string_view text, size_t max) {
  if (text.size() > max || !IsPrintableAscii(text)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the {} \"{}\" must be at most {} printable ASCII characters",
                                 what, text, max));
  }
  return Status::Ok();
}

int Compressions(const FaxOptions& options) {
  // MH is mandatory for every T.30 terminal, so it is always offered.
  int compressions = T30_SUPPORT_T4_1D_COMPRESSION;
  if (options.mr) compressions |= T30_SUPPORT_T4_2D_COMPRESSION;
  // T.6 is only allowed under ECM; spandsp would fall back to MR anyway (gotcha 2).
  if (options.mmr && options.ecm) compressions |= T30_SUPPORT_T6_COMPRESSION;
  return compressions;
}

std::string CompressionName(int encoding) {
  switch (encoding) {
    case T4_COMPRESSION_ITU_T4_1D:
      return "MH";
    case T4_COMPRESSION_ITU_T4_2D:
      return "MR";
    case T4_COMPRESSION_ITU_T6:
      return "MMR";
    default:
      return encoding == 0 ? "" : t4_encoding_to_str(encoding);
  }
}

// spandsp reports resolutions in pixels per metre (T4_X_RESOLUTION_*, T4_Y_RESOLUTION_*).
std::string ResolutionName(int x_per_metre, int y_per_metre) {
  if (y_per_metre == 0) return "";
  if (x_per_metre == T4_X_RESOLUTION_R8) {
    if (y_per_metre == T4_Y_RESOLUTION_STANDARD) return "standard";
    if (y_per_metre == T4_Y_RESOLUTION_FINE) return "fine";
    if (y_per_metre == T4_Y_RESOLUTION_SUPERFINE) return "superfine";
  }
  auto dpi = [](int per_metre) { return std::lround(per_metre * 0.0254); };
  return fmt::format("{}x{} dpi", dpi(x_per_metre), dpi(y_per_metre));
}

}  // namespace

Status CheckSessionParams(const FaxSessionParams& params) {
  FG_RETURN_IF_ERROR(CheckText("fax ident", params.options.local_ident, T30_MAX_IDENT_LEN));
  FG_RETURN_IF_ERROR(
      CheckText("page header", params.options.page_header, T30_MAX_PAGE_HEADER_INFO));
  const std::string& path = params.file.native();
  if (path.empty() || path.size() > kMaxPathBytes) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("fax file name \"{}\" must have 1 to {} bytes", path, kMaxPathBytes));
  }
  if (params.role == FaxRole::kReceiver) {
    std::error_code ec;
    auto dir = params.file.parent_path().empty() ? "." : params.file.parent_path();
    if (!std::filesystem::is_directory(dir, ec)) {
      return MakeError(
          ErrorCode::kNotFound,
          fmt::format("directory {} for received fax {} does not exist", dir.string(), path));
    }
  }
  if (params.first_page < 0 || params.options.max_receive_pages < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "page numbers must not be negative");
  }
  return Status::Ok();
}

Result<int> CheckFileToSend(const FaxSessionParams& params) {
  std::string name = params.file.string();
  FG_ASSIGN_OR_RETURN(TiffInfo info, InspectTiff(params.file, name));
  FG_RETURN_IF_ERROR(CheckSendable(info, name));
  int pages = static_cast<int>(info.pages.size());
  if (params.first_page >= pages) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has {} pages; cannot start at page {}", name, pages,
                                 params.first_page + 1));
  }
  return pages - params.first_page;
}

int SupportedModems(const FaxOptions& options, int max_bit_rate) {
  int modems = 0;
  if (options.v27ter && max_bit_rate >= 4800) modems |= T30_SUPPORT_V27TER;
  if (options.v29 && max_bit_rate >= 9600) modems |= T30_SUPPORT_V29;
  if (options.v17 && max_bit_rate >= 14400) modems |= T30_SUPPORT_V17;
  return modems;
}

void ApplyT30Options(t30_state_t* t30, const FaxSessionParams& params, int modems) {
  const FaxOptions& options = params.options;
  t30_set_tx_ident(t30, options.local_ident.c_str());
  // An empty string would still switch the tag-line code on in some spandsp versions.
  if (!options.page_header.empty()) {
    t30_set_tx_page_header_info(t30, options.page_header.c_str());
  }
  t30_set_supported_modems(t30, modems);
  t30_set_ecm_capability(t30, options.ecm ? TRUE : FALSE);
  t30_set_supported_compressions(t30, Compressions(options));
  t30_set_supported_resolutions(t30, T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION |
                                         T30_SUPPORT_SUPERFINE_RESOLUTION |
                                         T30_SUPPORT_R8_RESOLUTION | T30_SUPPORT_R16_RESOLUTION);
  t30_set_supported_image_sizes(t30, T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH |
                                         T30_SUPPORT_A4_LENGTH | T30_SUPPORT_B4_LENGTH |
                                         T30_SUPPORT_UNLIMITED_LENGTH | T30_SUPPORT_215MM_WIDTH |
                                         T30_SUPPORT_255MM_WIDTH | T30_SUPPORT_303MM_WIDTH);
  if (params.role == FaxRole::kSender) {
    // In 0.0.6 start_page is a 0-based TIFF directory index (t4_tx_init calls
    // TIFFSetDirectory(start_page)); -1 means 0, and stop_page -1 means "to the end". So
    // first_page 2 of a 3-page file sends exactly the third page; FaxSessionTest's
    // ResumeAtThirdPageSendsOnlyThatPage checks it.
    t30_set_tx_file(t30, params.file.c_str(), params.first_page, -1);
  } else {
    // Received pages are stored as G4 whatever the line coding was. The stop page given here
    // is ignored by 0.0.6 (nothing reads rx_stop_page); T30Call enforces max_receive_pages.
    t30_set_rx_encoding(t30, T4_COMPRESSION_ITU_T6);
    t30_set_rx_file(t30, params.file.c_str(), -1);
  }
}

NegotiatedParams ReadNegotiatedParams(t30_state_t* t30) {
  t30_stats_t stats;
  t30_get_transfer_statistics(t30, &stats);
  NegotiatedParams params;
  params.bit_rate = stats.bit_rate;
  params.ecm = stats.error_correcting_mode != 0;
  params.compression = CompressionName(stats.encoding);
  params.resolution = ResolutionName(stats.x_resolution, stats.y_resolution);
  params.page_width = stats.width;
  const char* ident = t30_get_rx_ident(t30);
  params.remote_ident = ident ? ident : "";
  return params;
}

}  // namespace faxgate
