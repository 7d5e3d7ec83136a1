#include "document/converter.h"

#include <algorithm>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "base/files.h"
#include "base/log.h"
#include "document/fax_page_writer.h"
#include "document/halftone.h"
#include "document/html_renderer.h"
#include "document/image_input.h"
#include "document/office_converter.h"
#include "document/page_layout.h"
#include "document/pdf_renderer.h"
#include "document/text_decode.h"
#include "document/text_pages.h"
#include "fax/tiff_document.h"

namespace faxgate {
namespace {

// Largest file we read into memory to detect its type and decode text. Uploads are limited far
// below this by the max_attachment_bytes setting; the command line has only this.
constexpr uintmax_t kMaxInputBytes = uintmax_t{512} << 20;

bool IsImage(DocumentType t) {
  switch (t) {
    case DocumentType::kTiff:
    case DocumentType::kPng:
    case DocumentType::kJpeg:
    case DocumentType::kGif:
    case DocumentType::kBmp:
    case DocumentType::kPnm:
    case DocumentType::kWebp:
      return true;
    default:
      return false;
  }
}

bool IsZipOffice(DocumentType t) {
  switch (t) {
    case DocumentType::kDocx:
    case DocumentType::kXlsx:
    case DocumentType::kPptx:
    case DocumentType::kOdt:
    case DocumentType::kOds:
    case DocumentType::kOdp:
      return true;
    default:
      return false;
  }
}

bool IsOfficeType(DocumentType t) {
  switch (t) {
    case DocumentType::kRtf:
    case DocumentType::kWordBinary:
    case DocumentType::kExcelBinary:
    case DocumentType::kPowerPointBinary:
    case DocumentType::kWrite:
      return true;
    default:
      return IsZipOffice(t);
  }
}

// LibreOffice picks its import filter partly by extension, so the copy it reads is named for
// the type we detected, whatever the user called the file.
std::string_view OfficeExtension(DocumentType t) {
  switch (t) {
    case DocumentType::kRtf:
      return "rtf";
    case DocumentType::kWordBinary:
      return "doc";
    case DocumentType::kExcelBinary:
      return "xls";
    case DocumentType::kPowerPointBinary:
      return "ppt";
    case DocumentType::kWrite:
      return "wri";
    case DocumentType::kDocx:
      return "docx";
    case DocumentType::kXlsx:
      return "xlsx";
    case DocumentType::kPptx:
      return "pptx";
    case DocumentType::kOdt:
      return "odt";
    case DocumentType::kOds:
      return "ods";
    case DocumentType::kOdp:
      return "odp";
    default:
      return "bin";
  }
}

// A TIFF that is already fax pages in exactly this format (a received fax forwarded, or a
// document converted earlier) is copied page for page, so its pixels stay exact.
bool IsFaxReady(const TiffInfo& info, const PageFormat& f) {
  for (const TiffPageInfo& p : info.pages) {
    if (p.bits_per_sample != 1 || p.samples_per_pixel != 1 || p.tiled) return false;
    if (p.width != f.width_px()) return false;
    if (std::abs(p.x_dpi - f.x_dpi()) > 4 || std::abs(p.y_dpi - f.y_dpi()) > 4) return false;
  }
  return !info.pages.empty();
}

class PageSink {
 public:
  PageSink(FaxPageWriter& writer, const PageFormat& format, const SourceDocument& doc,
           int max_pages)
      : writer_(writer), format_(format), doc_(doc), max_pages_(max_pages) {}

  // A full fax page (exactly width_px() wide).
  Status Page(GreyImage&& page) {
    FG_RETURN_IF_ERROR(CountPage());
    return writer_.Append(ToBilevel(page, format_.halftone));
  }
  Status Bilevel(Bitmap&& page) {
    FG_RETURN_IF_ERROR(CountPage());
    page.x_dpi = format_.x_dpi();
    page.y_dpi = format_.y_dpi();
    return writer_.Append(page);
  }
  // Content at fax resolution, any height: centred and cut into pages.
  Status Content(GreyImage&& content) {
    return LayOutPages(std::move(content), format_,
                       [this](GreyImage&& page) { return Page(std::move(page)); });
  }
  // One page of a paged document (PDF, PostScript, Office, HTML), at fax resolution. It stays
  // one fax page: a page a little longer than the paper (A4 on Letter, or a row of rounding)
  // is shrunk to fit rather than spilling a sliver onto a second page; only a page far longer
  // than the paper (a receipt, a poster) is cut into several.
  Status DocumentPage(GreyImage&& content) {
    const int rows = format_.height_rows();
    if (content.height > rows && content.height <= rows * 3 / 2) {
      if (content.height - rows <= 2) {
        content.pixels.resize(static_cast<size_t>(rows) * content.width);
        content.height = rows;
      } else {
        const double scale = static_cast<double>(rows) / content.height;
        const int width = std::max(1, static_cast<int>(content.width * scale));
        content = ScaleGrey(content, width, rows);
      }
    }
    return Content(std::move(content));
  }
  // A source image at its own resolution.
  Status Image(GreyImage&& image) {
    FG_ASSIGN_OR_RETURN(GreyImage fitted, ResampleToFax(image, format_, true));
    return Content(std::move(fitted));
  }

 private:
  Status CountPage() {
    if (++pages_ > max_pages_) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} makes more than {} fax pages, the most one document may "
                                   "have",
                                   doc_.display_name, max_pages_));
    }
    return Status::Ok();
  }

  FaxPageWriter& writer_;
  const PageFormat& format_;
  const SourceDocument& doc_;
  int max_pages_;
  int pages_ = 0;
};

Status RenderPdfInto(const std::filesystem::path& pdf, const SourceDocument& doc,
                     const PageFormat& format, const ConverterOptions& options, PageSink& sink) {
  return RenderPdf(pdf, doc.display_name, format, options.limits, options.work_dir,
                   [&sink](GreyImage&& page) { return sink.DocumentPage(std::move(page)); });
}

Status Render(const SourceDocument& doc, const DetectedType& type, const std::string& bytes,
              const PageFormat& format, const ConverterOptions& options, PageSink& sink) {
  const DocumentType t = type.type;
  if (t == DocumentType::kPdf) return RenderPdfInto(doc.path, doc, format, options, sink);
  if (t == DocumentType::kPostScript) {
    return RenderPostScript(
        doc.path, doc.display_name, format, options.limits, options.work_dir,
        [&sink](GreyImage&& page) { return sink.DocumentPage(std::move(page)); });
  }
  if (t == DocumentType::kTiff) {
    auto info = InspectTiff(doc.path, doc.display_name);
    if (info.ok() && IsFaxReady(*info, format)) {
      return ForEachBitmap(doc.path, doc.display_name,
                           [&sink](Bitmap&& page) { return sink.Bilevel(std::move(page)); });
    }
  }
  if (IsImage(t)) {
    return ReadImagePages(doc.path, doc.display_name, options.limits,
                          [&sink](GreyImage&& image) { return sink.Image(std::move(image)); });
  }
  if (t == DocumentType::kText) {
    FG_ASSIGN_OR_RETURN(DecodedText text, DecodeText(bytes, doc.display_name));
    TextStyle style;
    return RenderTextPages(text, format, style,
                           [&sink](GreyImage&& page) { return sink.Page(std::move(page)); });
  }
  if (t == DocumentType::kHtml) {
    FG_ASSIGN_OR_RETURN(std::filesystem::path pdf, HtmlToPdf(doc.path, doc.display_name, format,
                                                             options.limits, options.work_dir));
    return RenderPdfInto(pdf, doc, format, options, sink);
  }
  if (IsOfficeType(t)) {
    if (options.office == nullptr) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       fmt::format("{}: Office documents need LibreOffice, which is not running",
                                   doc.display_name));
    }
    FG_ASSIGN_OR_RETURN(
        std::filesystem::path pdf,
        ConvertOfficeToPdf(*options.office, doc, t, options.limits, options.work_dir));
    return RenderPdfInto(pdf, doc, format, options, sink);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("{}: faxgate cannot convert {} files", doc.display_name,
                               type.description.empty() ? ToString(t) : type.description));
}

}  // namespace

bool NeedsOffice(DocumentType type) { return IsOfficeType(type); }

Result<std::filesystem::path> ConvertOfficeToPdf(LibreOfficePool& office, const SourceDocument& doc,
                                                 DocumentType type, const ConversionLimits& limits,
                                                 const std::filesystem::path& work_dir) {
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(doc.path));
  if (IsZipOffice(type)) {
    FG_RETURN_IF_ERROR(CheckArchiveLimits(bytes, doc.display_name, limits.max_unpacked_bytes));
  }
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  const std::filesystem::path copy = work_dir / fmt::format("document.{}", OfficeExtension(type));
  FG_RETURN_IF_ERROR(WriteFileAtomic(copy, bytes));
  return office.ConvertToPdf(copy, doc.display_name, work_dir);
}

Result<ConvertedDocument> ConvertDocument(const SourceDocument& doc, const PageFormat& format,
                                          const ConverterOptions& options,
                                          const std::filesystem::path& output) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(doc.path, ec);
  if (ec) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("{}: cannot be read ({})", doc.display_name, ec.message()));
  }
  if (size == 0) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} is empty", doc.display_name));
  }
  if (size > kMaxInputBytes) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} is {} bytes; the largest document faxgate converts is {}",
                                 doc.display_name, size, kMaxInputBytes));
  }
  FG_ASSIGN_OR_RETURN(std::string bytes, ReadFile(doc.path));
  FG_ASSIGN_OR_RETURN(DetectedType type, DetectDocumentType(bytes, doc.display_name));
  std::filesystem::create_directories(options.work_dir, ec);

  FaxPageWriter writer;
  FG_RETURN_IF_ERROR(writer.Open(output, format));
  PageSink sink(writer, format, doc, options.limits.max_pages);
  Status rendered = Render(doc, type, bytes, format, options, sink);
  std::filesystem::remove_all(options.work_dir, ec);
  FG_RETURN_IF_ERROR(rendered);
  if (writer.pages() == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} has no pages to send", doc.display_name));
  }
  const int pages = writer.pages();
  FG_RETURN_IF_ERROR(writer.Finish());
  log::Get("document")
      ->debug("{}: {} converted to {} pages ({})", doc.display_name, ToString(type.type), pages,
              FormatKey(format));
  return ConvertedDocument{type.type, pages};
}

Result<int> ComposeFax(const ComposeRequest& request, const std::filesystem::path& output) {
  int total = request.cover ? 1 : 0;
  for (const auto& document : request.documents) {
    FG_ASSIGN_OR_RETURN(TiffInfo info, InspectTiff(document, document.filename().string()));
    total += static_cast<int>(info.pages.size());
  }
  FaxPageWriter writer;
  FG_RETURN_IF_ERROR(writer.Open(output, request.format));
  TagFields tag = request.tag;
  tag.total = total;
  auto append = [&](Bitmap&& page) -> Status {
    page.x_dpi = request.format.x_dpi();
    page.y_dpi = request.format.y_dpi();
    tag.page = writer.pages() + 1;
    if (!request.tag_line_format.empty()) {
      FG_RETURN_IF_ERROR(
          StampTagLine(page, FormatTagLine(request.tag_line_format, tag), request.format));
    }
    return writer.Append(page);
  };
  if (request.cover) {
    CoverFields fields = request.cover->fields;
    fields.pages = std::to_string(total);
    auto cover = RenderCoverPage(request.cover->svg, fields, request.format);
    if (!cover.ok()) {
      return MakeError(
          cover.error().code,
          fmt::format("cover page '{}': {}", request.cover->template_name, cover.error().message));
    }
    FG_RETURN_IF_ERROR(append(ToBilevel(*cover, request.format.halftone)));
  }
  for (const auto& document : request.documents) {
    FG_RETURN_IF_ERROR(ForEachBitmap(document, document.filename().string(),
                                     [&](Bitmap&& page) { return append(std::move(page)); }));
  }
  FG_RETURN_IF_ERROR(writer.Finish());
  return total;
}

}  // namespace faxgate
