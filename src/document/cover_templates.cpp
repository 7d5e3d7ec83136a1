#include "document/cover_templates.h"

namespace faxgate {
namespace {

// All built-ins are A4 portrait with a viewBox in millimetres, so font sizes are in mm too
// (4.2 mm is about 12 pt). text-rendering="optimizeSpeed" and shape-rendering="crispEdges"
// make librsvg draw without anti-aliasing: text and rules stay pure black on the fax; grey
// fills are dithered by the halftone stage.

constexpr char kPlain[] = R"svg(<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"
     text-rendering="optimizeSpeed" shape-rendering="crispEdges">
  <style>
    text { font-family: 'Noto Sans CJK SC', sans-serif; fill: #000; }
    .heading { font-size: 16px; font-weight: bold; }
    .title { font-size: 6px; }
    .label { font-size: 4.2px; font-weight: bold; }
    .value { font-size: 4.2px; }
    .rule { stroke: #000; stroke-width: 0.6; }
  </style>
  <clipPath id="values"><rect x="60" y="55" width="130" height="115"/></clipPath>

  <text x="20" y="36" class="heading">FAX</text>
  <text x="20" y="46" class="title">{$TITLE}</text>
  <line x1="20" y1="52" x2="190" y2="52" class="rule"/>

  <text x="20" y="64" class="label">To:</text>
  <text x="20" y="72" class="label">Company:</text>
  <text x="20" y="80" class="label">Fax:</text>
  <text x="20" y="96" class="label">From:</text>
  <text x="20" y="104" class="label">Company:</text>
  <text x="20" y="112" class="label">Phone:</text>
  <text x="20" y="120" class="label">Fax:</text>
  <text x="20" y="128" class="label">E-mail:</text>
  <text x="20" y="144" class="label">Date:</text>
  <text x="20" y="152" class="label">Pages:</text>
  <text x="20" y="160" class="label">Subject:</text>
  <g clip-path="url(#values)">
    <text x="62" y="64" class="value">{$TO_NAME}</text>
    <text x="62" y="72" class="value">{$TO_COMPANY}</text>
    <text x="62" y="80" class="value">{$TO_FAX}</text>
    <text x="62" y="96" class="value">{$FROM_NAME}</text>
    <text x="62" y="104" class="value">{$FROM_COMPANY}</text>
    <text x="62" y="112" class="value">{$FROM_PHONE}</text>
    <text x="62" y="120" class="value">{$FROM_FAX}</text>
    <text x="62" y="128" class="value">{$FROM_EMAIL}</text>
    <text x="62" y="144" class="value">{$DATE}</text>
    <text x="62" y="152" class="value">{$PAGES}</text>
    <text x="62" y="160" class="value">{$SUBJECT}</text>
  </g>
  <line x1="20" y1="168" x2="190" y2="168" class="rule"/>

  <text x="20" y="180" class="label">Comments:</text>
  <rect id="comments-box" x="20" y="184" width="170" height="92" fill="none"
        stroke="#000" stroke-width="0.3"/>
</svg>
)svg";

constexpr char kBusiness[] = R"svg(<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"
     text-rendering="optimizeSpeed" shape-rendering="crispEdges">
  <style>
    text { font-family: 'Noto Sans CJK SC', sans-serif; fill: #000; }
    .company { font-size: 8px; font-weight: bold; }
    .contact { font-size: 3.6px; }
    .fax { font-size: 14px; font-weight: bold; }
    .title { font-size: 6px; }
    .label { font-size: 3.8px; font-weight: bold; }
    .value { font-size: 4.2px; }
    .shade { fill: #e0e0e0; }
    .grid { stroke: #000; stroke-width: 0.3; fill: none; }
    .note { font-size: 3px; }
  </style>
  <clipPath id="left"><rect x="46" y="64" width="57" height="50"/></clipPath>
  <clipPath id="right"><rect x="131" y="64" width="57" height="50"/></clipPath>
  <clipPath id="wide"><rect x="46" y="114" width="142" height="10"/></clipPath>

  <!-- letterhead -->
  <rect x="0" y="0" width="210" height="40" class="shade"/>
  <rect x="0" y="40" width="210" height="1.2" fill="#000"/>
  <text x="20" y="20" class="company">{$FROM_COMPANY}</text>
  <text x="20" y="30" class="contact">Tel {$FROM_PHONE}    Fax {$FROM_FAX}    {$FROM_EMAIL}</text>
  <text x="190" y="27" class="fax" text-anchor="end">FAX</text>
  <text x="20" y="55" class="title">{$TITLE}</text>

  <!-- To / From table: shaded label cells, five rows and a subject row -->
  <rect x="20" y="64" width="24" height="60" class="shade"/>
  <rect x="105" y="64" width="24" height="50" class="shade"/>
  <rect x="20" y="64" width="170" height="60" class="grid"/>
  <path class="grid" d="M20 74H190 M20 84H190 M20 94H190 M20 104H190 M20 114H190
                        M44 64V124 M105 64V114 M129 64V114"/>
  <text x="22" y="70.5" class="label">To</text>
  <text x="22" y="80.5" class="label">Company</text>
  <text x="22" y="90.5" class="label">Fax</text>
  <text x="22" y="100.5" class="label">Date</text>
  <text x="22" y="110.5" class="label">Pages</text>
  <text x="22" y="120.5" class="label">Subject</text>
  <text x="107" y="70.5" class="label">From</text>
  <text x="107" y="80.5" class="label">Company</text>
  <text x="107" y="90.5" class="label">Fax</text>
  <text x="107" y="100.5" class="label">Phone</text>
  <text x="107" y="110.5" class="label">E-mail</text>
  <g clip-path="url(#left)">
    <text x="47" y="70.5" class="value">{$TO_NAME}</text>
    <text x="47" y="80.5" class="value">{$TO_COMPANY}</text>
    <text x="47" y="90.5" class="value">{$TO_FAX}</text>
    <text x="47" y="100.5" class="value">{$DATE}</text>
    <text x="47" y="110.5" class="value">{$PAGES}</text>
  </g>
  <g clip-path="url(#right)">
    <text x="132" y="70.5" class="value">{$FROM_NAME}</text>
    <text x="132" y="80.5" class="value">{$FROM_COMPANY}</text>
    <text x="132" y="90.5" class="value">{$FROM_FAX}</text>
    <text x="132" y="100.5" class="value">{$FROM_PHONE}</text>
    <text x="132" y="110.5" class="value">{$FROM_EMAIL}</text>
  </g>
  <g clip-path="url(#wide)">
    <text x="47" y="120.5" class="value">{$SUBJECT}</text>
  </g>

  <!-- comments -->
  <rect x="20" y="134" width="170" height="8" class="shade"/>
  <text x="22" y="139.6" class="label">Comments</text>
  <rect id="comments-box" x="20" y="142" width="170" height="126" class="grid"/>
  <rect x="20" y="134" width="170" height="134" class="grid"/>

  <text x="105" y="278" class="note" text-anchor="middle">This fax is intended only for the
    addressee.</text>
  <text x="105" y="282" class="note" text-anchor="middle">If you received it in error, please
    tell the sender and destroy it.</text>
</svg>
)svg";

constexpr char kChineseBusiness[] = R"svg(<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297"
     xml:lang="zh-CN" text-rendering="optimizeSpeed" shape-rendering="crispEdges">
  <style>
    text { font-family: 'Noto Sans CJK SC', sans-serif; fill: #000; }
    .serif { font-family: 'Noto Serif CJK SC', serif; }
    .company { font-size: 6px; font-weight: bold; }
    .heading { font-size: 14px; font-weight: bold; letter-spacing: 6px; }
    .latin { font-size: 3.6px; letter-spacing: 1.5px; }
    .title { font-size: 5px; }
    .label { font-size: 4px; font-weight: bold; }
    .value { font-size: 4.2px; }
    .shade { fill: #e0e0e0; }
    .grid { stroke: #000; stroke-width: 0.3; fill: none; }
    .note { font-size: 3.4px; }
  </style>
  <clipPath id="left"><rect x="46" y="62" width="57" height="55"/></clipPath>
  <clipPath id="right"><rect x="131" y="62" width="57" height="55"/></clipPath>
  <clipPath id="wide"><rect x="46" y="117" width="142" height="11"/></clipPath>

  <!-- 信头：发件公司，"传真"标题 -->
  <text x="105" y="18" class="serif company" text-anchor="middle">{$FROM_COMPANY}</text>
  <text x="108" y="36" class="serif heading" text-anchor="middle">传真</text>
  <text x="105" y="43" class="latin" text-anchor="middle">FACSIMILE</text>
  <rect x="20" y="47" width="170" height="0.9" fill="#000"/>
  <rect x="20" y="49" width="170" height="0.3" fill="#000"/>
  <text x="105" y="57" class="title" text-anchor="middle">{$TITLE}</text>

  <!-- 收件人 / 发件人 表格 -->
  <rect x="20" y="62" width="26" height="66" class="shade"/>
  <rect x="105" y="62" width="26" height="55" class="shade"/>
  <rect x="20" y="62" width="170" height="66" class="grid"/>
  <path class="grid" d="M20 73H190 M20 84H190 M20 95H190 M20 106H190 M20 117H190
                        M46 62V128 M105 62V117 M131 62V117"/>
  <text x="22" y="69.3" class="label">收件人</text>
  <text x="22" y="80.3" class="label">公司</text>
  <text x="22" y="91.3" class="label">传真号码</text>
  <text x="22" y="102.3" class="label">日期</text>
  <text x="22" y="113.3" class="label">页数</text>
  <text x="22" y="124.3" class="label">主题</text>
  <text x="107" y="69.3" class="label">发件人</text>
  <text x="107" y="80.3" class="label">公司</text>
  <text x="107" y="91.3" class="label">传真号码</text>
  <text x="107" y="102.3" class="label">电话</text>
  <text x="107" y="113.3" class="label">电子邮件</text>
  <g clip-path="url(#left)">
    <text x="48" y="69.3" class="value">{$TO_NAME}</text>
    <text x="48" y="80.3" class="value">{$TO_COMPANY}</text>
    <text x="48" y="91.3" class="value">{$TO_FAX}</text>
    <text x="48" y="102.3" class="value">{$DATE}</text>
    <text x="48" y="113.3" class="value">{$PAGES}（含封面）</text>
  </g>
  <g clip-path="url(#right)">
    <text x="133" y="69.3" class="value">{$FROM_NAME}</text>
    <text x="133" y="80.3" class="value">{$FROM_COMPANY}</text>
    <text x="133" y="91.3" class="value">{$FROM_FAX}</text>
    <text x="133" y="102.3" class="value">{$FROM_PHONE}</text>
    <text x="133" y="113.3" class="value">{$FROM_EMAIL}</text>
  </g>
  <g clip-path="url(#wide)">
    <text x="48" y="124.3" class="value">{$SUBJECT}</text>
  </g>

  <!-- 备注 -->
  <rect x="20" y="138" width="170" height="9" class="shade"/>
  <text x="22" y="144.3" class="label">备注</text>
  <rect id="comments-box" x="20" y="147" width="170" height="121" class="grid"/>
  <rect x="20" y="138" width="170" height="130" class="grid"/>

  <text x="105" y="280" class="note" text-anchor="middle">本传真仅供收件人使用。如有页面不清晰或缺页，请尽快与发件人联系。</text>
</svg>
)svg";

}  // namespace

const std::vector<CoverTemplate>& BuiltinCoverTemplates() {
  static const std::vector<CoverTemplate> templates = {
      {"plain", "Plain", kPlain},
      {"business", "Business letterhead", kBusiness},
      {"chinese-business", "商务传真 (Chinese business)", kChineseBusiness},
  };
  return templates;
}

const CoverTemplate* FindBuiltinCoverTemplate(std::string_view name) {
  for (const CoverTemplate& t : BuiltinCoverTemplates())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace faxgate
