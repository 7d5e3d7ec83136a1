#include "document/page_format.h"

#include <cmath>

namespace faxgate {

std::string_view ToString(Paper p) {
  switch (p) {
    case Paper::kA4:
      return "a4";
    case Paper::kLetter:
      return "letter";
    case Paper::kB4:
      return "b4";
  }
  return "a4";
}

std::string_view ToString(Resolution r) {
  switch (r) {
    case Resolution::kStandard:
      return "standard";
    case Resolution::kFine:
      return "fine";
    case Resolution::kSuperfine:
      return "superfine";
  }
  return "fine";
}

std::string_view ToString(Halftone h) {
  switch (h) {
    case Halftone::kClusteredDot:
      return "cluster";
    case Halftone::kErrorDiffusion:
      return "diffusion";
    case Halftone::kThreshold:
      return "threshold";
  }
  return "cluster";
}

std::optional<Paper> ParsePaper(std::string_view s) {
  if (s == "a4" || s == "A4") return Paper::kA4;
  if (s == "letter" || s == "Letter") return Paper::kLetter;
  if (s == "b4" || s == "B4") return Paper::kB4;
  return std::nullopt;
}

std::optional<Resolution> ParseResolution(std::string_view s) {
  if (s == "standard" || s == "98") return Resolution::kStandard;
  if (s == "fine" || s == "196") return Resolution::kFine;
  if (s == "superfine" || s == "391") return Resolution::kSuperfine;
  return std::nullopt;
}

std::optional<Halftone> ParseHalftone(std::string_view s) {
  if (s == "cluster") return Halftone::kClusteredDot;
  if (s == "diffusion") return Halftone::kErrorDiffusion;
  if (s == "threshold") return Halftone::kThreshold;
  return std::nullopt;
}

double PageFormat::y_dpi() const {
  switch (resolution) {
    case Resolution::kStandard:
      return 98.0;
    case Resolution::kFine:
      return 196.0;
    case Resolution::kSuperfine:
      return 391.0;
  }
  return 196.0;
}

int PageFormat::width_px() const { return paper == Paper::kB4 ? 2048 : 1728; }

double PageFormat::paper_width_in() const {
  switch (paper) {
    case Paper::kA4:
      return 210.0 / 25.4;
    case Paper::kLetter:
      return 8.5;
    case Paper::kB4:
      return 250.0 / 25.4;
  }
  return 210.0 / 25.4;
}

double PageFormat::paper_height_in() const {
  switch (paper) {
    case Paper::kA4:
      return 297.0 / 25.4;
    case Paper::kLetter:
      return 11.0;
    case Paper::kB4:
      return 353.0 / 25.4;
  }
  return 297.0 / 25.4;
}

std::string FormatKey(const PageFormat& f) {
  return std::string(ToString(f.resolution)) + "/" + std::string(ToString(f.paper)) + "/" +
         std::string(ToString(f.halftone));
}

int PageFormat::height_rows() const {
  return static_cast<int>(std::lround(paper_height_in() * y_dpi()));
}

}  // namespace faxgate
