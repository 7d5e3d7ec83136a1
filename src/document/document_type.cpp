#include "document/document_type.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <vector>

namespace faxgate {
namespace {

// ---------------------------------------------------------------------------------------------
// Bounds-checked little-endian reads.

class Bytes {
 public:
  explicit Bytes(std::string_view s) : s_(s) {}
  size_t size() const { return s_.size(); }
  bool Has(uint64_t offset, uint64_t length) const {
    return offset <= s_.size() && length <= s_.size() - offset;
  }
  std::optional<uint16_t> U16(uint64_t off) const {
    if (!Has(off, 2)) return std::nullopt;
    return static_cast<uint16_t>(B(off) | B(off + 1) << 8);
  }
  std::optional<uint32_t> U32(uint64_t off) const {
    if (!Has(off, 4)) return std::nullopt;
    return static_cast<uint32_t>(B(off) | B(off + 1) << 8 | B(off + 2) << 16 |
                                 static_cast<uint32_t>(B(off + 3)) << 24);
  }
  std::optional<uint64_t> U64(uint64_t off) const {
    auto lo = U32(off), hi = U32(off + 4);
    if (!lo || !hi) return std::nullopt;
    return uint64_t{*lo} | uint64_t{*hi} << 32;
  }
  std::string_view Slice(uint64_t off, uint64_t length) const {
    if (!Has(off, length)) return {};
    return s_.substr(static_cast<size_t>(off), static_cast<size_t>(length));
  }

 private:
  uint32_t B(uint64_t off) const { return static_cast<uint8_t>(s_[static_cast<size_t>(off)]); }
  std::string_view s_;
};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != Lower(prefix[i])) return false;
  }
  return true;
}

size_t FindNoCase(std::string_view s, std::string_view needle) {
  if (needle.empty() || s.size() < needle.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (StartsWithNoCase(s.substr(i), needle)) return i;
  }
  return std::string_view::npos;
}

DetectedType Found(DocumentType type, std::string description, bool encrypted = false) {
  return DetectedType{type, encrypted, std::move(description)};
}

// ---------------------------------------------------------------------------------------------
// PDF

// PDF's whitespace and delimiters end a name: "/Encrypt 5 0 R" but not "/EncryptMetadata".
bool EndsPdfName(char c) {
  return std::string_view(" \t\r\n\f\0/<>[]()%{}", 16).find(c) != std::string_view::npos;
}

bool PdfHasEncrypt(std::string_view content) {
  constexpr std::string_view kKey = "/Encrypt";
  for (size_t at = content.find(kKey); at != std::string_view::npos;
       at = content.find(kKey, at + 1)) {
    size_t end = at + kKey.size();
    if (end < content.size() && EndsPdfName(content[end])) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// ZIP (docx, xlsx, pptx, odt, ods, odp)

struct ZipEntry {
  std::string_view name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
};

struct ZipDirectory {
  std::vector<ZipEntry> entries;
  uint64_t declared_entries = 0;  // from the end record, may exceed entries.size()
};

constexpr size_t kMaxZipEntriesRead = 100'000;

// Applies the ZIP64 extended-information extra field (id 1) to the fields that overflowed.
void ApplyZip64Extra(const Bytes& b, uint64_t extra, uint64_t extra_len, ZipEntry& e,
                     bool need_uncompressed, bool need_compressed, bool need_offset) {
  uint64_t p = extra, end = extra + extra_len;
  while (p + 4 <= end) {
    auto id = b.U16(p), len = b.U16(p + 2);
    if (!id || !len) return;
    if (*id == 1) {
      uint64_t q = p + 4, q_end = q + *len;
      auto take = [&](uint64_t& field) {
        if (q + 8 > q_end) return;
        if (auto v = b.U64(q)) field = *v;
        q += 8;
      };
      if (need_uncompressed) take(e.uncompressed);
      if (need_compressed) take(e.compressed);
      if (need_offset) take(e.local_offset);
      return;
    }
    p += 4 + *len;
  }
}

std::optional<ZipDirectory> ReadZipDirectory(std::string_view content) {
  Bytes b(content);
  // The end-of-central-directory record is in the last 22 + 65535 bytes.
  if (content.size() < 22) return std::nullopt;
  size_t lowest = content.size() > 22 + 65535 ? content.size() - 22 - 65535 : 0;
  std::optional<size_t> eocd;
  for (size_t p = content.size() - 22 + 1; p-- > lowest;) {
    if (content.compare(p, 4, "PK\5\6") == 0) {
      eocd = p;
      break;
    }
  }
  if (!eocd) return std::nullopt;
  uint64_t count = *b.U16(*eocd + 10);
  uint64_t cd_size = *b.U32(*eocd + 12);
  uint64_t cd_offset = *b.U32(*eocd + 16);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    // ZIP64: a locator just before the end record points at the ZIP64 end record.
    if (*eocd >= 20 && b.U32(*eocd - 20) == 0x07064b50u) {
      auto z64 = b.U64(*eocd - 20 + 8);
      if (z64 && b.U32(*z64) == 0x06064b50u) {
        count = b.U64(*z64 + 32).value_or(count);
        cd_size = b.U64(*z64 + 40).value_or(cd_size);
        cd_offset = b.U64(*z64 + 48).value_or(cd_offset);
      }
    }
  }
  // Archives with data prepended (self-extractors) shift every offset; tolerate that when the
  // directory sits right before the end record.
  if (!b.Has(cd_offset, cd_size) && *eocd >= cd_size) cd_offset = *eocd - cd_size;
  if (!b.Has(cd_offset, 4)) return std::nullopt;

  ZipDirectory dir;
  dir.declared_entries = count;
  uint64_t p = cd_offset;
  while (dir.entries.size() < std::min<uint64_t>(count, kMaxZipEntriesRead)) {
    if (b.U32(p) != 0x02014b50u) break;
    auto name_len = b.U16(p + 28), extra_len = b.U16(p + 30), comment_len = b.U16(p + 32);
    if (!name_len || !extra_len || !comment_len || !b.Has(p, 46)) break;
    ZipEntry e;
    e.flags = *b.U16(p + 8);
    e.method = *b.U16(p + 10);
    e.compressed = *b.U32(p + 20);
    e.uncompressed = *b.U32(p + 24);
    e.local_offset = *b.U32(p + 42);
    e.name = b.Slice(p + 46, *name_len);
    ApplyZip64Extra(b, p + 46 + *name_len, *extra_len, e, e.uncompressed == 0xFFFFFFFF,
                    e.compressed == 0xFFFFFFFF, e.local_offset == 0xFFFFFFFF);
    dir.entries.push_back(e);
    p += 46 + uint64_t{*name_len} + *extra_len + *comment_len;
  }
  if (dir.entries.empty() && count != 0) return std::nullopt;
  return dir;
}

// The stored (uncompressed) data of an entry, or "" when it is compressed or out of range.
std::string_view StoredData(std::string_view content, const ZipEntry& e) {
  Bytes b(content);
  if (e.method != 0 || b.U32(e.local_offset) != 0x04034b50u) return {};
  auto name_len = b.U16(e.local_offset + 26), extra_len = b.U16(e.local_offset + 28);
  if (!name_len || !extra_len) return {};
  return b.Slice(e.local_offset + 30 + *name_len + *extra_len, e.compressed);
}

// ODF keeps its type in a first, stored entry "mimetype"; readable even when the central
// directory is damaged.
std::string_view FirstEntryMimetype(std::string_view content) {
  Bytes b(content);
  auto method = b.U16(8), name_len = b.U16(26), extra_len = b.U16(28);
  auto compressed = b.U32(18);
  if (!method || !compressed || !name_len || !extra_len || *method != 0) return {};
  if (b.Slice(30, *name_len) != "mimetype") return {};
  return b.Slice(30 + uint64_t{*name_len} + *extra_len, std::min<uint64_t>(*compressed, 200));
}

std::optional<DetectedType> OdfFromMimetype(std::string_view mime, bool encrypted) {
  constexpr std::string_view kPrefix = "application/vnd.oasis.opendocument.";
  if (!StartsWith(mime, kPrefix)) return std::nullopt;
  std::string_view kind = mime.substr(kPrefix.size());
  if (StartsWith(kind, "text")) return Found(DocumentType::kOdt, "OpenDocument text", encrypted);
  if (StartsWith(kind, "spreadsheet")) {
    return Found(DocumentType::kOds, "OpenDocument spreadsheet", encrypted);
  }
  if (StartsWith(kind, "presentation")) {
    return Found(DocumentType::kOdp, "OpenDocument presentation", encrypted);
  }
  return std::nullopt;
}

DetectedType ClassifyZip(std::string_view content) {
  auto dir = ReadZipDirectory(content);
  if (!dir) {
    if (auto odf = OdfFromMimetype(FirstEntryMimetype(content), false)) return *odf;
    return Found(DocumentType::kUnknown, "damaged ZIP archive");
  }
  bool encrypted = false, content_types = false, word = false, xl = false, ppt = false;
  std::string_view mimetype;
  for (const ZipEntry& e : dir->entries) {
    if (e.flags & 1) encrypted = true;
    if (e.name == "[Content_Types].xml") content_types = true;
    if (StartsWith(e.name, "word/")) word = true;
    if (StartsWith(e.name, "xl/")) xl = true;
    if (StartsWith(e.name, "ppt/")) ppt = true;
    if (e.name == "mimetype") mimetype = StoredData(content, e);
  }
  if (mimetype.empty()) mimetype = FirstEntryMimetype(content);
  if (auto odf = OdfFromMimetype(mimetype, encrypted)) return *odf;
  if (content_types && word) return Found(DocumentType::kDocx, "Word document", encrypted);
  if (content_types && xl) return Found(DocumentType::kXlsx, "Excel workbook", encrypted);
  if (content_types && ppt) {
    return Found(DocumentType::kPptx, "PowerPoint presentation", encrypted);
  }
  return Found(DocumentType::kUnknown, "ZIP archive that is not an Office document");
}

// ---------------------------------------------------------------------------------------------
// OLE2 compound files (doc, xls, ppt, and password-protected OOXML)

struct OleEntry {
  std::string name;  // ASCII-folded; other characters become '?'
  uint8_t type = 0;  // 1 storage, 2 stream, 5 root
  uint32_t start = 0;
  uint64_t size = 0;
};

class OleFile {
 public:
  explicit OleFile(std::string_view content) : b_(content) {}

  bool Read() {
    auto shift = b_.U16(0x1E);
    if (!shift || (*shift != 9 && *shift != 12)) return false;
    sector_size_ = uint64_t{1} << *shift;
    sector_count_ = b_.size() / sector_size_;  // an upper bound on any valid sector number
    for (int i = 0; i < 109; ++i) {
      auto s = b_.U32(0x4C + 4 * i);
      if (!s || *s >= 0xFFFFFFFA) break;
      fat_sectors_.push_back(*s);
    }
    // Further FAT sector numbers are in the DIFAT chain.
    auto difat = b_.U32(0x44);
    for (uint64_t guard = 0; difat && *difat < 0xFFFFFFFA && guard < sector_count_; ++guard) {
      uint64_t base = SectorOffset(*difat);
      uint64_t per = sector_size_ / 4 - 1;
      for (uint64_t i = 0; i < per; ++i) {
        auto s = b_.U32(base + 4 * i);
        if (!s) return false;
        if (*s < 0xFFFFFFFA) fat_sectors_.push_back(*s);
      }
      difat = b_.U32(base + 4 * per);
    }
    return ReadDirectory();
  }

  const std::vector<OleEntry>& entries() const { return entries_; }
  const OleEntry* Find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.type == 2 && e.name == name) return &e;
    }
    return nullptr;
  }
  // The first bytes of a stream kept in regular sectors (big streams: WordDocument,
  // Workbook), up to one sector.
  std::string_view FirstSector(const OleEntry& e) const {
    if (e.size < 4096) return {};  // in the mini stream; not needed here
    return b_.Slice(SectorOffset(e.start), sector_size_);
  }

 private:
  uint64_t SectorOffset(uint64_t sector) const { return (sector + 1) * sector_size_; }

  std::optional<uint32_t> Next(uint32_t sector) const {
    uint64_t per = sector_size_ / 4;
    uint64_t index = sector / per;
    if (index >= fat_sectors_.size()) return std::nullopt;
    return b_.U32(SectorOffset(fat_sectors_[index]) + 4 * (sector % per));
  }

  bool ReadDirectory() {
    auto sector = b_.U32(0x30);
    constexpr size_t kMaxEntries = 4096;
    for (uint64_t guard = 0; sector && *sector < 0xFFFFFFFA && guard < sector_count_; ++guard) {
      uint64_t base = SectorOffset(*sector);
      for (uint64_t off = 0; off + 128 <= sector_size_ && entries_.size() < kMaxEntries;
           off += 128) {
        std::string_view raw = b_.Slice(base + off, 128);
        if (raw.empty()) return !entries_.empty();
        entries_.push_back(ParseEntry(raw));
      }
      if (entries_.size() >= kMaxEntries) break;
      sector = Next(*sector);
    }
    return !entries_.empty();
  }

  static OleEntry ParseEntry(std::string_view raw) {
    Bytes e(raw);
    OleEntry entry;
    uint16_t name_bytes = std::min<uint16_t>(e.U16(0x40).value_or(0), 64);
    for (uint16_t i = 0; i + 1 < name_bytes; i += 2) {
      uint16_t c = *e.U16(i);
      if (c == 0) break;
      entry.name.push_back(c < 0x80 ? static_cast<char>(c) : '?');
    }
    entry.type = static_cast<uint8_t>(raw[0x42]);
    entry.start = e.U32(0x74).value_or(0);
    entry.size = e.U32(0x78).value_or(0);
    return entry;
  }

  Bytes b_;
  uint64_t sector_size_ = 512;
  uint64_t sector_count_ = 0;
  std::vector<uint32_t> fat_sectors_;
  std::vector<OleEntry> entries_;
};

// Word's File Information Block: fEncrypted is bit 8 of the flags at offset 0x0A.
bool WordEncrypted(const OleFile& ole, const OleEntry& word) {
  Bytes fib(ole.FirstSector(word));
  auto ident = fib.U16(0), flags = fib.U16(0x0A);
  return ident && flags && (*ident == 0xA5EC || *ident == 0xA5DC) && (*flags & 0x0100);
}

// An encrypted BIFF8 workbook has a FILEPASS record (0x002F) among its first records.
bool ExcelEncrypted(const OleFile& ole, const OleEntry& book) {
  Bytes records(ole.FirstSector(book));
  uint64_t p = 0;
  for (int i = 0; i < 64; ++i) {
    auto type = records.U16(p), len = records.U16(p + 2);
    if (!type || !len) return false;
    if (*type == 0x002F) return true;
    if (*type == 0x0085 || *type == 0x000A) return false;  // BOUNDSHEET or EOF: past the header
    p += 4 + *len;
  }
  return false;
}

DetectedType ClassifyOle(std::string_view content) {
  OleFile ole(content);
  if (!ole.Read()) return Found(DocumentType::kUnknown, "damaged Microsoft Office file");
  if (ole.Find("EncryptionInfo") && ole.Find("EncryptedPackage")) {
    return Found(DocumentType::kDocx, "encrypted Office document", true);
  }
  if (const OleEntry* word = ole.Find("WordDocument")) {
    bool encrypted = WordEncrypted(ole, *word);
    return Found(DocumentType::kWordBinary,
                 encrypted ? "encrypted Word document" : "Word 97-2003 document", encrypted);
  }
  const OleEntry* book = ole.Find("Workbook");
  if (!book) book = ole.Find("Book");
  if (book) {
    bool encrypted = ExcelEncrypted(ole, *book);
    return Found(DocumentType::kExcelBinary,
                 encrypted ? "encrypted Excel workbook" : "Excel 97-2003 workbook", encrypted);
  }
  if (ole.Find("PowerPoint Document")) {
    bool encrypted = ole.Find("EncryptedSummary") != nullptr;
    return Found(
        DocumentType::kPowerPointBinary,
        encrypted ? "encrypted PowerPoint presentation" : "PowerPoint 97-2003 presentation",
        encrypted);
  }
  return Found(DocumentType::kUnknown, "Microsoft compound file of an unsupported kind");
}

// ---------------------------------------------------------------------------------------------
// Images and others with fixed signatures

bool PlausibleBmp(std::string_view content) {
  Bytes b(content);
  auto file_size = b.U32(2), reserved = b.U32(6), data_offset = b.U32(10), dib = b.U32(14);
  if (!file_size || !reserved || !data_offset || !dib) return false;
  constexpr std::array<uint32_t, 7> kDibSizes = {12, 40, 52, 56, 64, 108, 124};
  return *reserved == 0 && std::find(kDibSizes.begin(), kDibSizes.end(), *dib) != kDibSizes.end() &&
         *data_offset >= 14 + *dib && *data_offset < (1u << 24);
}

bool IsPnm(std::string_view content) {
  return content.size() >= 3 && content[0] == 'P' && content[1] >= '1' && content[1] <= '6' &&
         std::string_view(" \t\r\n#").find(content[2]) != std::string_view::npos;
}

bool IsPostScript(std::string_view content) {
  std::string_view head = content.substr(0, 4096);
  while (!head.empty() && head.front() == '\x04') head.remove_prefix(1);  // Windows drivers
  if (StartsWith(head, "%!")) return true;
  // PJL-wrapped print jobs: "ESC%-12345X@PJL ... %!PS"
  return StartsWith(head, "\x1b%-12345X") && head.find("%!PS") != std::string_view::npos;
}

std::string_view SkipBomAndSpace(std::string_view s) {
  if (StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  while (!s.empty() && std::string_view(" \t\r\n\f").find(s.front()) != std::string_view::npos) {
    s.remove_prefix(1);
  }
  return s;
}

bool IsHtml(std::string_view content) {
  std::string_view s = SkipBomAndSpace(content.substr(0, 8192));
  constexpr std::string_view kStarts[] = {
      "<!doctype html", "<html", "<head", "<body", "<table", "<p>",   "<p ",
      "<div",           "<h1",   "<h2",   "<h3",   "<title", "<meta", "<style"};
  for (std::string_view start : kStarts) {
    if (StartsWithNoCase(s, start)) return true;
  }
  // XHTML, or HTML after a leading comment.
  if (StartsWith(s, "<?xml") || StartsWith(s, "<!--")) {
    return FindNoCase(s.substr(0, 2048), "<html") != std::string_view::npos;
  }
  return false;
}

// UTF-16 without a BOM: mostly-ASCII text has a zero in every other byte.
bool LooksLikeUtf16(std::string_view s) {
  size_t n = std::min<size_t>(s.size(), 65536) & ~size_t{1};
  if (n < 4) return false;
  size_t zero_even = 0, zero_odd = 0;
  for (size_t i = 0; i < n; i += 2) {
    zero_even += s[i] == 0;
    zero_odd += s[i + 1] == 0;
  }
  size_t pairs = n / 2;
  return (zero_odd * 10 >= pairs * 7 && zero_even * 20 < pairs) ||
         (zero_even * 10 >= pairs * 7 && zero_odd * 20 < pairs);
}

bool IsText(std::string_view content) {
  if (StartsWith(content, "\xFF\xFE") || StartsWith(content, "\xFE\xFF")) return true;
  if (LooksLikeUtf16(content)) return true;
  std::string_view sample = content.substr(0, 1 << 20);
  size_t control = 0;
  for (size_t i = 0; i < sample.size(); ++i) {
    auto c = static_cast<unsigned char>(sample[i]);
    if (c == 0) return false;
    bool allowed = c >= 0x20 || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x1B ||
                   (c == 0x1A && i + 1 == content.size());  // DOS end-of-file mark
    if (!allowed) ++control;
  }
  return control * 100 <= sample.size();  // at most 1%
}

std::string HexPrefix(std::string_view content) {
  std::string out;
  size_t n = std::min<size_t>(content.size(), 8);
  for (size_t i = 0; i < n; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(content[i]));
    if (i) out += ' ';
    out += hex;
  }
  if (content.size() > n) out += " …";
  return out;
}

}  // namespace

std::string_view ToString(DocumentType type) {
  switch (type) {
    case DocumentType::kPdf:
      return "pdf";
    case DocumentType::kPostScript:
      return "postscript";
    case DocumentType::kTiff:
      return "tiff";
    case DocumentType::kPng:
      return "png";
    case DocumentType::kJpeg:
      return "jpeg";
    case DocumentType::kGif:
      return "gif";
    case DocumentType::kBmp:
      return "bmp";
    case DocumentType::kPnm:
      return "pnm";
    case DocumentType::kWebp:
      return "webp";
    case DocumentType::kText:
      return "text";
    case DocumentType::kHtml:
      return "html";
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
    case DocumentType::kUnknown:
      return "unknown";
  }
  return "unknown";
}

DocumentType ParseDocumentType(std::string_view name) {
  // The enumerators run contiguously from kPdf to kUnknown.
  for (int i = 0; i <= static_cast<int>(DocumentType::kUnknown); ++i) {
    const auto type = static_cast<DocumentType>(i);
    if (ToString(type) == name) return type;
  }
  return DocumentType::kUnknown;
}

DetectedType ClassifyDocument(std::string_view content) {
  using T = DocumentType;
  if (content.substr(0, 1024).find("%PDF-") != std::string_view::npos) {
    bool encrypted = PdfHasEncrypt(content);
    return Found(T::kPdf, encrypted ? "PDF document (encrypted)" : "PDF document", encrypted);
  }
  if (StartsWith(content, "\xC5\xD0\xD3\xC6")) return Found(T::kPostScript, "EPS (DOS binary)");
  if (IsPostScript(content)) return Found(T::kPostScript, "PostScript document");
  if (StartsWith(content, std::string_view("II*\0", 4)) ||
      StartsWith(content, std::string_view("MM\0*", 4))) {
    return Found(T::kTiff, "TIFF image");
  }
  if (StartsWith(content, "\x89PNG\r\n\x1a\n")) return Found(T::kPng, "PNG image");
  if (StartsWith(content, "\xFF\xD8\xFF")) return Found(T::kJpeg, "JPEG image");
  if (StartsWith(content, "GIF87a") || StartsWith(content, "GIF89a")) {
    return Found(T::kGif, "GIF image");
  }
  if (StartsWith(content, "BM") && PlausibleBmp(content)) return Found(T::kBmp, "BMP image");
  if (content.size() >= 12 && StartsWith(content, "RIFF") && content.substr(8, 4) == "WEBP") {
    return Found(T::kWebp, "WebP image");
  }
  if (IsPnm(content)) return Found(T::kPnm, "PNM image");
  if (StartsWith(content, "{\\rtf")) return Found(T::kRtf, "RTF document");
  if (StartsWith(content, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return ClassifyOle(content);
  if (content.size() >= 6 && (StartsWith(content, "\x31\xBE") || StartsWith(content, "\x32\xBE")) &&
      content.substr(2, 4) == std::string_view("\0\0\0\xAB", 4)) {
    return Found(T::kWrite, "Windows Write document");
  }
  if (StartsWith(content, "PK\3\4") || StartsWith(content, "PK\5\6")) return ClassifyZip(content);
  if (IsHtml(content)) return Found(T::kHtml, "HTML document");
  if (IsText(content)) return Found(T::kText, "text");
  return Found(T::kUnknown, "unknown file type");
}

std::string PasswordProtectedMessage(std::string_view display_name, std::string_view what) {
  return std::string(display_name) + " is password-protected (" + std::string(what) +
         "); remove the password and send it again";
}

Result<DetectedType> DetectDocumentType(std::string_view content, std::string_view display_name) {
  std::string name(display_name);
  if (content.empty()) return MakeError(ErrorCode::kInvalidArgument, name + " is empty");
  DetectedType detected = ClassifyDocument(content);
  if (detected.type == DocumentType::kUnknown) {
    std::string what = detected.description == "unknown file type"
                           ? "unknown file type (starts with bytes " + HexPrefix(content) + ")"
                           : detected.description;
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": " + what +
                         "; faxgate converts PDF, PostScript, images, text, HTML and Office "
                         "documents");
  }
  if (detected.encrypted && detected.type != DocumentType::kPdf) {
    return MakeError(ErrorCode::kInvalidArgument,
                     PasswordProtectedMessage(display_name, detected.description));
  }
  return detected;
}

Status CheckArchiveLimits(std::string_view zip_content, std::string_view display_name,
                          int64_t max_unpacked_bytes) {
  constexpr uint64_t kMaxEntries = 10'000;
  constexpr uint64_t kRatioFloorBytes = 10 << 20;
  constexpr uint64_t kMaxRatio = 200;
  if (!StartsWith(zip_content, "PK")) return Status::Ok();
  std::string name(display_name);
  auto dir = ReadZipDirectory(zip_content);
  if (!dir) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": damaged Office file (its ZIP directory cannot be read)");
  }
  if (dir->declared_entries > kMaxEntries || dir->entries.size() > kMaxEntries) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": the file contains " + std::to_string(dir->declared_entries) +
                         " parts, more than the " + std::to_string(kMaxEntries) + " allowed");
  }
  uint64_t unpacked = 0, packed = 0;
  const uint64_t limit = static_cast<uint64_t>(std::max<int64_t>(max_unpacked_bytes, 0));
  for (const ZipEntry& e : dir->entries) {
    unpacked += std::min<uint64_t>(e.uncompressed, uint64_t{1} << 62);
    packed += std::min<uint64_t>(e.compressed, uint64_t{1} << 62);
    if (unpacked > limit) {
      return MakeError(ErrorCode::kInvalidArgument, name + ": the file unpacks to more than " +
                                                        std::to_string(limit >> 20) +
                                                        " MB; faxgate refuses it");
    }
  }
  if (unpacked > kRatioFloorBytes && unpacked > kMaxRatio * std::max<uint64_t>(packed, 1)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     name + ": the file is compressed more than " + std::to_string(kMaxRatio) +
                         ":1 (" + std::to_string(unpacked >> 20) +
                         " MB unpacked), which only archive bombs are; faxgate refuses it");
  }
  return Status::Ok();
}

}  // namespace faxgate
