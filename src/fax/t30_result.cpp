#include "fax/t30_result.h"

#include <spandsp.h>

#include <array>
#include <string_view>

namespace faxgate {
namespace {

struct T30ResultInfo {
  int code;
  FailureKind kind;
  std::string_view sentence;  // what happened, in the user's terms
};

// Every T30_ERR_* of spandsp 0.0.6 (spandsp/t30.h), in the header's order. The rules:
//  - nothing fax-like answered (T0/T1)                        -> kNoFax
//  - the far end left: DCN, lost carrier, silence, dropped    -> kHungUp
//  - training, page exchange, ECM or negotiation went wrong   -> kProtocol
//  - our document cannot be sent (file, size, resolution)     -> kDocument
constexpr std::array kResults = {
    T30ResultInfo{T30_ERR_OK, FailureKind::kNone, "The fax was delivered"},

    // Link problems.
    T30ResultInfo{T30_ERR_CEDTONE, FailureKind::kProtocol,
                  "The far end's answer tone lasted too long"},
    T30ResultInfo{T30_ERR_T0_EXPIRED, FailureKind::kNoFax,
                  "No response from the far end (T0 timeout): no fax machine answered"},
    T30ResultInfo{T30_ERR_T1_EXPIRED, FailureKind::kNoFax,
                  "No fax machine identified itself (T1 timeout)"},
    T30ResultInfo{T30_ERR_T3_EXPIRED, FailureKind::kProtocol,
                  "The far end's operator did not answer an interrupt (T3 timeout)"},
    T30ResultInfo{T30_ERR_HDLC_CARRIER, FailureKind::kProtocol,
                  "The far end's signalling carrier did not stop"},
    T30ResultInfo{T30_ERR_CANNOT_TRAIN, FailureKind::kProtocol,
                  "The modems could not train at any speed (line too poor)"},
    T30ResultInfo{T30_ERR_OPER_INT_FAIL, FailureKind::kProtocol, "Operator intervention failed"},
    T30ResultInfo{T30_ERR_INCOMPATIBLE, FailureKind::kProtocol,
                  "The far end's fax machine is not compatible (no common modem)"},
    T30ResultInfo{T30_ERR_RX_INCAPABLE, FailureKind::kProtocol,
                  "The far end's fax machine cannot receive faxes"},
    T30ResultInfo{T30_ERR_TX_INCAPABLE, FailureKind::kProtocol,
                  "The far end's fax machine has nothing to send"},
    T30ResultInfo{T30_ERR_NORESSUPPORT, FailureKind::kDocument,
                  "The far end cannot receive pages at the document's resolution"},
    T30ResultInfo{T30_ERR_NOSIZESUPPORT, FailureKind::kDocument,
                  "The far end cannot receive pages of the document's size"},
    T30ResultInfo{T30_ERR_UNEXPECTED, FailureKind::kProtocol,
                  "The far end sent an unexpected message"},

    // Sender side.
    T30ResultInfo{T30_ERR_TX_BADDCS, FailureKind::kProtocol,
                  "The far end gave a bad answer to the transmission settings or training"},
    T30ResultInfo{T30_ERR_TX_BADPG, FailureKind::kHungUp,
                  "The far end hung up (DCN) after a page was sent"},
    T30ResultInfo{T30_ERR_TX_ECMPHD, FailureKind::kProtocol,
                  "The far end gave an invalid error-correction response"},
    T30ResultInfo{T30_ERR_TX_GOTDCN, FailureKind::kHungUp,
                  "The far end hung up (DCN) before the fax started"},
    T30ResultInfo{T30_ERR_TX_INVALRSP, FailureKind::kProtocol,
                  "The far end gave an invalid answer after a page"},
    T30ResultInfo{T30_ERR_TX_NODIS, FailureKind::kProtocol,
                  "The far end did not announce its capabilities (no DIS)"},
    T30ResultInfo{T30_ERR_TX_PHBDEAD, FailureKind::kProtocol,
                  "The far end did not answer the transmission settings or training"},
    T30ResultInfo{T30_ERR_TX_PHDDEAD, FailureKind::kProtocol,
                  "The far end did not confirm a page it was sent"},
    T30ResultInfo{T30_ERR_TX_T5EXP, FailureKind::kProtocol,
                  "The far end stayed busy too long (T5 timeout, error correction)"},

    // Receiver side.
    T30ResultInfo{T30_ERR_RX_ECMPHD, FailureKind::kProtocol,
                  "The sender gave an invalid error-correction command"},
    T30ResultInfo{T30_ERR_RX_GOTDCS, FailureKind::kProtocol,
                  "The far end sent settings while a poll was expected"},
    T30ResultInfo{T30_ERR_RX_INVALCMD, FailureKind::kProtocol,
                  "The sender gave an unexpected command after a page"},
    T30ResultInfo{T30_ERR_RX_NOCARRIER, FailureKind::kHungUp,
                  "The sender's carrier was lost during a page"},
    T30ResultInfo{T30_ERR_RX_NOEOL, FailureKind::kProtocol,
                  "The page data stopped making sense (no end of line)"},
    T30ResultInfo{T30_ERR_RX_NOFAX, FailureKind::kProtocol, "The sender trained but sent no page"},
    T30ResultInfo{T30_ERR_RX_T2EXPDCN, FailureKind::kHungUp,
                  "The sender went silent instead of ending the call (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_T2EXPD, FailureKind::kHungUp,
                  "The sender went silent after a page (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_T2EXPFAX, FailureKind::kHungUp,
                  "The sender went silent before a page (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_T2EXPMPS, FailureKind::kHungUp,
                  "The sender went silent before the next page (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_T2EXPRR, FailureKind::kHungUp,
                  "The sender went silent during error correction (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_T2EXP, FailureKind::kHungUp, "The sender went silent (T2 timeout)"},
    T30ResultInfo{T30_ERR_RX_DCNWHY, FailureKind::kHungUp,
                  "The sender hung up (DCN) before the fax started"},
    T30ResultInfo{T30_ERR_RX_DCNDATA, FailureKind::kHungUp,
                  "The sender hung up (DCN) instead of sending a page"},
    T30ResultInfo{T30_ERR_RX_DCNFAX, FailureKind::kHungUp, "The sender hung up (DCN) after a page"},
    T30ResultInfo{T30_ERR_RX_DCNPHD, FailureKind::kHungUp,
                  "The sender hung up (DCN) before the next page"},
    T30ResultInfo{T30_ERR_RX_DCNRRD, FailureKind::kHungUp,
                  "The sender hung up (DCN) during error correction"},
    T30ResultInfo{T30_ERR_RX_DCNNORTN, FailureKind::kHungUp,
                  "The sender hung up (DCN) after a page was refused"},

    // TIFF file problems: the document to send (or the file to receive into).
    T30ResultInfo{T30_ERR_FILEERROR, FailureKind::kDocument, "The fax file could not be opened"},
    T30ResultInfo{T30_ERR_NOPAGE, FailureKind::kDocument, "A page of the fax file is missing"},
    T30ResultInfo{T30_ERR_BADTIFF, FailureKind::kDocument,
                  "The fax file is not a usable TIFF-F file"},
    T30ResultInfo{T30_ERR_BADPAGE, FailureKind::kDocument, "The fax file lacks page numbers"},
    T30ResultInfo{T30_ERR_BADTAG, FailureKind::kDocument, "The fax file has wrong TIFF tags"},
    T30ResultInfo{T30_ERR_BADTIFFHDR, FailureKind::kDocument, "The fax file has a bad TIFF header"},
    // Local memory shortage: nothing wrong with the document, so worth another try.
    T30ResultInfo{T30_ERR_NOMEM, FailureKind::kProtocol, "The fax engine ran out of memory"},

    // General problems.
    T30ResultInfo{T30_ERR_RETRYDCN, FailureKind::kProtocol,
                  "The far end gave up after repeated errors"},
    T30ResultInfo{T30_ERR_CALLDROPPED, FailureKind::kHungUp,
                  "The call was dropped before the fax was complete"},

    // Feature negotiation.
    T30ResultInfo{T30_ERR_NOPOLL, FailureKind::kProtocol, "The far end refused to be polled"},
    T30ResultInfo{T30_ERR_IDENT_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused our fax identity"},
    T30ResultInfo{T30_ERR_SUB_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the sub-address"},
    T30ResultInfo{T30_ERR_SEP_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the selective polling address"},
    T30ResultInfo{T30_ERR_PSA_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the polled sub-address"},
    T30ResultInfo{T30_ERR_SID_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the sender identification"},
    T30ResultInfo{T30_ERR_PWD_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the password"},
    T30ResultInfo{T30_ERR_TSA_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the sender's internet address"},
    T30ResultInfo{T30_ERR_IRA_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the internet routing address"},
    T30ResultInfo{T30_ERR_CIA_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the caller's internet address"},
    T30ResultInfo{T30_ERR_ISP_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the internet polling address"},
    T30ResultInfo{T30_ERR_CSA_UNACCEPTABLE, FailureKind::kProtocol,
                  "The far end refused the called party's internet address"},
};

const T30ResultInfo* Find(int t30_code) {
  for (const auto& info : kResults) {
    if (info.code == t30_code) return &info;
  }
  return nullptr;
}

}  // namespace

FailureKind ClassifyT30Result(int t30_code) {
  const T30ResultInfo* info = Find(t30_code);
  // A code this table does not know comes from a newer spandsp; a protocol failure is the
  // safe guess because it is retried.
  return info ? info->kind : FailureKind::kProtocol;
}

std::string DescribeT30Result(int t30_code) {
  const T30ResultInfo* info = Find(t30_code);
  if (info == nullptr) {
    return "The fax failed with unknown T.30 result code " + std::to_string(t30_code);
  }
  std::string text(info->sentence);
  if (t30_code != T30_ERR_OK) {
    // spandsp's own words are what its logs and mailing lists use; keep them for support.
    text += " (spandsp: ";
    text += t30_completion_code_to_str(t30_code);
    text += ")";
  }
  return text;
}

}  // namespace faxgate
