// t4_rx_put_chunk / t4_rx_end_page, interposed on libspandsp's (see t4_rx_hooks.h).
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include "fax/t4_rx_hooks.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fax/fax_logging.h"

namespace faxgate {
namespace {

using PutChunkFn = int (*)(t4_rx_state_t*, const uint8_t*, int);
using EndPageFn = int (*)(t4_rx_state_t*);

struct Route {
  t30_state_t* t30 = nullptr;
  std::shared_ptr<PageWriter> writer;
  bool ecm_bytes = false;  // the page being received came as ECM blocks
};

struct Routes {
  std::shared_mutex mu;
  std::unordered_map<const t4_rx_state_t*, Route> by_t4;
};

Routes& AllRoutes() {
  static Routes routes;
  return routes;
}

// The library's own definitions, found past ours in the lookup order.
PutChunkFn LibraryPutChunk() {
  static const auto fn = reinterpret_cast<PutChunkFn>(dlsym(RTLD_NEXT, "t4_rx_put_chunk"));
  return fn;
}

EndPageFn LibraryEndPage() {
  static const auto fn = reinterpret_cast<EndPageFn>(dlsym(RTLD_NEXT, "t4_rx_end_page"));
  return fn;
}

// True when the process resolves both functions to the definitions below, i.e. spandsp's
// calls reach them too.
bool HooksInEffect() {
  static const bool in_effect = [] {
    void* put = dlsym(RTLD_DEFAULT, "t4_rx_put_chunk");
    void* end = dlsym(RTLD_DEFAULT, "t4_rx_end_page");
    return put == reinterpret_cast<void*>(&t4_rx_put_chunk) &&
           end == reinterpret_cast<void*>(&t4_rx_end_page) && LibraryPutChunk() != nullptr &&
           LibraryEndPage() != nullptr;
  }();
  return in_effect;
}

ReceivedPageInfo PageInfo(const t4_rx_state_t& t4) {
  auto text = [](const char* s) { return std::string(s ? s : ""); };
  ReceivedPageInfo info;
  info.encoding = t4.line_encoding;
  info.width = t4.image_width;
  info.x_resolution = t4.x_resolution;
  info.y_resolution = t4.y_resolution;
  info.start_time = static_cast<int64_t>(t4.page_start_time);
  info.far_ident = text(t4.tiff.metadata.far_ident);
  info.sub_address = text(t4.tiff.metadata.sub_address);
  info.dcs = text(t4.tiff.metadata.dcs);
  info.vendor = text(t4.tiff.metadata.vendor);
  info.model = text(t4.tiff.metadata.model);
  return info;
}

// Collects the rows spandsp's end_page hands to a row write handler.
struct DecodedRows {
  std::vector<uint8_t> bytes;
  int count = 0;

  static int Add(void* user_data, const uint8_t row[], size_t len) {
    auto* self = static_cast<DecodedRows*>(user_data);
    if (row == nullptr) return 0;  // the end of the image
    self->bytes.insert(self->bytes.end(), row, row + len);
    ++self->count;
    return 0;
  }
};

}  // namespace

bool RoutePagesToWriter(t30_state_t* t30, std::shared_ptr<PageWriter> writer,
                        const std::filesystem::path& scratch) {
  if (t30 == nullptr || !writer || !HooksInEffect()) return false;
  t30_set_rx_file(t30, scratch.c_str(), -1);
  Routes& routes = AllRoutes();
  std::unique_lock lock(routes.mu);
  routes.by_t4[&t30->t4.rx] = Route{t30, std::move(writer), false};
  return true;
}

bool PageRoutingAvailable() { return HooksInEffect(); }

void StopRoutingPages(t30_state_t* t30) {
  if (t30 == nullptr) return;
  Routes& routes = AllRoutes();
  std::unique_lock lock(routes.mu);
  auto it = routes.by_t4.find(&t30->t4.rx);
  if (it != routes.by_t4.end() && it->second.t30 == t30) routes.by_t4.erase(it);
}

}  // namespace faxgate

using faxgate::AllRoutes;

// A routed context's ECM blocks are kept, undecoded, for its writer. spandsp calls this for a
// T.38 non-ECM page too, and needs the decoder's answer (end of page) there: those pass on.
extern "C" int t4_rx_put_chunk(t4_rx_state_t* s, const uint8_t buf[], int len) {
  {
    faxgate::Routes& routes = AllRoutes();
    std::shared_lock lock(routes.mu);
    auto it = routes.by_t4.find(s);
    if (it != routes.by_t4.end() && it->second.t30->error_correcting_mode) {
      faxgate::Route& route = it->second;
      route.ecm_bytes = true;
      if (len > 0) route.writer->AddCompressed({buf, static_cast<size_t>(len)});
      return FALSE;
    }
  }
  auto library = faxgate::LibraryPutChunk();
  return library ? library(s, buf, len) : FALSE;
}

// A routed context's page goes to its writer: an ECM page as the bytes kept above, a non-ECM
// page (decoded as it arrived) as rows. The return value is what spandsp's would have been for
// the page as far as the call can tell: 0 when it has image data.
extern "C" int t4_rx_end_page(t4_rx_state_t* s) {
  auto library = faxgate::LibraryEndPage();
  std::shared_ptr<faxgate::PageWriter> writer;
  bool ecm_bytes = false;
  {
    faxgate::Routes& routes = AllRoutes();
    std::shared_lock lock(routes.mu);
    auto it = routes.by_t4.find(s);
    if (it != routes.by_t4.end()) {
      writer = it->second.writer;
      ecm_bytes = it->second.ecm_bytes;
      it->second.ecm_bytes = false;
    }
  }
  if (!writer) return library ? library(s) : -1;
  faxgate::ReceivedPageInfo info = faxgate::PageInfo(*s);
  if (ecm_bytes) {
    writer->EndCompressedPage(info);
    return 0;
  }
  // spandsp's end_page finishes the decoding and resets the decoder for the next page; with a
  // row handler it hands over the rows instead of writing them.
  faxgate::DecodedRows rows;
  t4_rx_set_row_write_handler(s, &faxgate::DecodedRows::Add, &rows);
  int result = library ? library(s) : -1;
  t4_rx_set_row_write_handler(s, nullptr, nullptr);
  if (result == 0 && rows.count > 0) writer->AddDecodedPage(info, rows.bytes, rows.count);
  return result;
}
