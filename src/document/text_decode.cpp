#include "document/text_decode.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_set>
#include <vector>

namespace faxgate {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kInvalid = 0xFFFFFFFF;

// ---- UTF-8 ----

// Decodes one code point at `i` and advances `i`; kInvalid (advancing one byte) for malformed,
// overlong or surrogate sequences.
char32_t NextUtf8(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kInvalid;
  }
  if (i + len > s.size()) {
    ++i;
    return kInvalid;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kInvalid;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kInvalid;
  }
  i += len;
  return cp;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();)
    if (NextUtf8(s, i) == kInvalid) return false;
  return true;
}

// True for UTF-8 whose non-ASCII characters are all two bytes long (Latin, Greek, Cyrillic...).
bool HasOnlyTwoByteSequences(std::string_view s) {
  bool any = false;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0xE0) return false;
    any |= b >= 0xC0;
  }
  return any;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Every code point of `s`, malformed bytes becoming U+FFFD (for text a BOM declares UTF-8).
std::u32string Utf8CodePoints(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char32_t cp = NextUtf8(s, i);
    out += cp == kInvalid ? kReplacement : cp;
  }
  return out;
}

// ---- UTF-16 and UTF-32 (decoded by hand: unpaired surrogates become U+FFFD) ----

std::u32string DecodeUtf16(std::string_view s, bool big_endian) {
  std::u32string out;
  out.reserve(s.size() / 2);
  auto unit = [&](size_t i) -> char32_t {
    const auto a = static_cast<unsigned char>(s[i]);
    const auto b = static_cast<unsigned char>(s[i + 1]);
    return big_endian ? (a << 8 | b) : (b << 8 | a);
  };
  const size_t n = s.size() / 2 * 2;
  for (size_t i = 0; i < n; i += 2) {
    const char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 2 < n) {
      const char32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        out += 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
        continue;
      }
    }
    out += (u >= 0xD800 && u <= 0xDFFF) ? kReplacement : u;
  }
  if (s.size() % 2 != 0) out += kReplacement;
  return out;
}

std::u32string DecodeUtf32(std::string_view s, bool big_endian) {
  std::u32string out;
  out.reserve(s.size() / 4);
  for (size_t i = 0; i + 4 <= s.size(); i += 4) {
    char32_t cp = 0;
    for (int k = 0; k < 4; ++k) {
      const auto b = static_cast<unsigned char>(s[i + (big_endian ? k : 3 - k)]);
      cp = (cp << 8) | b;
    }
    out += (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ? kReplacement : cp;
  }
  if (s.size() % 4 != 0) out += kReplacement;
  return out;
}

// UTF-16 without a byte order mark: text that is mostly Latin has a NUL in every other byte.
std::optional<bool> LooksLikeBomlessUtf16(std::string_view s) {  // true = big endian
  const size_t n = std::min<size_t>(s.size(), 8192) / 2 * 2;
  if (n < 4) return std::nullopt;
  size_t zero_even = 0, zero_odd = 0;
  for (size_t i = 0; i < n; i += 2) {
    zero_even += s[i] == 0;
    zero_odd += s[i + 1] == 0;
  }
  const size_t pairs = n / 2;
  if (zero_odd * 4 >= pairs && zero_even * 20 <= zero_odd) return false;
  if (zero_even * 4 >= pairs && zero_odd * 20 <= zero_even) return true;
  return std::nullopt;
}

// ---- legacy encodings through iconv ----

// Converts all of `bytes` from `charset` to UTF-8; nullopt when any byte sequence is invalid
// or incomplete in that charset.
std::optional<std::string> IconvStrict(std::string_view bytes, const char* charset) {
  iconv_t cd = iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(bytes.size() * 3 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  bool ok = true;
  while (in_left > 0) {
    if (iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left) != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) {
      const size_t used = out.size() - out_left;
      out.resize(out.size() * 2);
      out_ptr = out.data() + used;
      out_left = out.size() - used;
      continue;
    }
    ok = false;  // EILSEQ or EINVAL
    break;
  }
  if (ok && iconv(cd, nullptr, nullptr, &out_ptr, &out_left) == static_cast<size_t>(-1)) ok = false;
  const size_t used = out.size() - out_left;
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(used);
  return out;
}

// Frequent characters: about 700 of the most used Chinese characters (simplified, plus the
// traditional forms of those that differ) and about 150 of the most used Hangul syllables.
// Text decoded with the right charset is full of them; text decoded with the wrong one is not.
constexpr std::u32string_view kSimplifiedOnly =
    U"这们来为国说时会对发过动经进还现没关门问题间开长东见车书学样个么从当应实种体点机头与将产内场"
    U"话"
    U"总电结员变两几华区资条达义传响听兴际双觉极爱请业议论欢钱难亲让认识导艺术战争医险铁权处务号飞"
    U"马"
    U"鱼鸟龙湾陈刘张杨黄赵吴岁脸买卖写师红绿蓝气云简单页码数据备";
constexpr std::u32string_view kTraditionalOnly =
    U"這們來為國說時會對發過動經進還現沒關門問題間開長東見車書學樣個麼從當應實種體點機頭與將產內場"
    U"話"
    U"總電結員變兩幾華區資條達義傳響聽興際雙覺極愛請業議論歡錢難親讓認識導藝術戰爭醫險鐵權處務號飛"
    U"馬"
    U"魚鳥龍灣陳劉張楊黃趙吳歲臉買賣寫師紅綠藍氣雲簡單頁碼數據備註";
constexpr std::u32string_view kCommonHan =
    U"的一是不了在人有我他个中上大和地到以时要就出会可也你对生能而子那得于着下自之年后作里用道行所"
    U"然家"
    U"种事成方多经去法学如都同当没面起看定天分还好小部其些主样理心她本前但因只从想实日军者意无力它"
    U"长把"
    U"十民第公此已工使情明性知全三又点正业外两高由很最重并物手应向头文体政美相被利什二等或新己制身"
    U"果加"
    U"西斯月话合回特代信表化老给世位次度任常先海通教儿原声提立及比员解水名真论处走义各入几口认条平"
    U"系活"
    U"尔更别打女变四神总何数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保"
    U"至队"
    U"形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程"
    U"北边"
    U"死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲"
    U"极林"
    U"服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花"
    U"党华"
    U"城石级整府离况请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查"
    U"轻易"
    U"早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参"
    U"希古"
    U"众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲"
    U"型料"
    U"终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱"
    U"破网"
    U"热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若"
    U"哪微"
    U"尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层"
    U"冷洲"
    U"冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉"
    U"坚善"
    U"妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢"
    U"守酒"
    U"岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼"
    U"味野"
    U"架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐"
    U"遗固"
    U"席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输"
    U"摇招"
    U"婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴"
    U"园谋"
    U"宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟"
    U"骨访"
    U"弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎"
    U"扬途"
    U"侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折"
    U"郑贝"
    U"尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵朗惯伴摸械吹倍宾仪杯"
    U"浪尾"
    U"传真收件发送日期页数主题备注电话号码公司您好谢谢请查阅附件合同报价单发票确认联系方式地址邮编";
constexpr std::u32string_view kCommonHangul =
    U"이다는의에하고을가지로기서한사자를도대리아게수어시나일해인정전부주구들으국상제보그있동만라거"
    U"적성개"
    U"과위것년우장원문학면습니요소간방세및화공내여할경생데와야되오터며분마비중모신관선후께드했연발"
    U"물무말"
    U"까저음실안식회명더너때조입합행용통업러진치본민트스단날점반미계결체님감립팩받람짜페목참번귀";

bool Contains(std::u32string_view set, char32_t cp) {
  return set.find(cp) != std::u32string_view::npos;
}

bool IsKana(char32_t cp) { return cp >= 0x3040 && cp <= 0x30FF; }
bool IsHangul(char32_t cp) { return cp >= 0xAC00 && cp <= 0xD7A3; }
bool IsHan(char32_t cp) { return cp >= 0x4E00 && cp <= 0x9FFF; }

bool IsCommonHan(char32_t cp) {
  static const std::unordered_set<char32_t> set = [] {
    std::unordered_set<char32_t> s;
    for (auto list : {kCommonHan, kSimplifiedOnly, kTraditionalOnly})
      s.insert(list.begin(), list.end());
    return s;
  }();
  return set.contains(cp);
}

// How plausible a non-ASCII character is in East Asian text: common characters and CJK
// punctuation score high, rare ones low, letters of other scripts and private use negative.
double Plausibility(char32_t cp) {
  if (IsKana(cp)) return 3;
  if (IsHangul(cp)) return Contains(kCommonHangul, cp) ? 3 : 1;
  if (IsHan(cp)) return IsCommonHan(cp) ? 3 : 0.5;
  if ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF5E)) return 2;
  if (cp >= 0x2010 && cp <= 0x2027) return 1;
  return -1;  // half-width katakana, Greek, Cyrillic, box drawing, extension A, private use...
}

// Average plausibility of the non-ASCII characters of `utf8`.
double Plausibility(std::string_view utf8) {
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t cp = NextUtf8(utf8, i);
    if (cp < 0x80) continue;
    sum += Plausibility(cp);
    ++count;
  }
  return count == 0 ? 0 : sum / static_cast<double>(count);
}

struct Candidate {
  const char* iconv_name;
  const char* charset;
};
// In order of preference on a tie. The Windows supersets are used for conversion: files from
// Windows use their extra characters (CP950's, CP932's NEC symbols, CP949's extra Hangul).
constexpr Candidate kEastAsian[] = {
    {"GB18030", "GB18030"},
    {"CP950", "Big5"},
    {"CP932", "Shift_JIS"},
    {"CP949", "EUC-KR"},
};
// Below this average plausibility the bytes are taken for a Western text.
constexpr double kMinPlausibility = 1.0;
// Short GBK text can be valid UTF-8 too ("谢谢" is D0 BB D0 BB, "лл" in UTF-8). Such bytes are
// taken for East Asian text only when that reading is made of common characters, which a
// Cyrillic or Greek text read as GBK almost never is.
constexpr double kStrongPlausibility = 2.5;

struct Decoded {
  std::string utf8;
  std::string charset;
};

std::optional<Decoded> DecodeEastAsian(std::string_view bytes, double min_plausibility) {
  std::optional<Decoded> best;
  double best_score = min_plausibility;
  for (const Candidate& c : kEastAsian) {
    std::optional<std::string> utf8 = IconvStrict(bytes, c.iconv_name);
    if (!utf8) continue;
    const double score = Plausibility(*utf8);
    if (score >= best_score + (best ? 1e-9 : 0)) {
      best_score = score;
      best = Decoded{std::move(*utf8), c.charset};
    }
  }
  return best;
}

std::optional<Decoded> DecodeIso2022Jp(std::string_view bytes) {
  if (bytes.find("\x1B$B") == std::string_view::npos &&
      bytes.find("\x1B$@") == std::string_view::npos)
    return std::nullopt;
  std::optional<std::string> utf8 = IconvStrict(bytes, "ISO-2022-JP");
  if (!utf8) return std::nullopt;
  return Decoded{std::move(*utf8), "ISO-2022-JP"};
}

Decoded DecodeWestern(std::string_view bytes) {
  if (std::optional<std::string> utf8 = IconvStrict(bytes, "WINDOWS-1252"))
    return {std::move(*utf8), "windows-1252"};
  std::string out;  // ISO-8859-1: every byte is its code point
  for (char c : bytes) AppendUtf8(out, static_cast<unsigned char>(c));
  return {std::move(out), "ISO-8859-1"};
}

std::string ToUtf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 2);
  for (char32_t cp : cps) AppendUtf8(out, cp);
  return out;
}

// Finds the encoding; nullopt for bytes that cannot be text.
std::optional<Decoded> DecodeBytes(std::string_view b) {
  auto starts = [&](std::string_view bom) { return b.starts_with(bom); };
  using namespace std::string_view_literals;
  if (starts("\xEF\xBB\xBF"sv)) return Decoded{ToUtf8(Utf8CodePoints(b.substr(3))), "UTF-8"};
  if (starts("\xFF\xFE\0\0"sv)) return Decoded{ToUtf8(DecodeUtf32(b.substr(4), false)), "UTF-32LE"};
  if (starts("\0\0\xFE\xFF"sv)) return Decoded{ToUtf8(DecodeUtf32(b.substr(4), true)), "UTF-32BE"};
  if (starts("\xFF\xFE"sv)) return Decoded{ToUtf8(DecodeUtf16(b.substr(2), false)), "UTF-16LE"};
  if (starts("\xFE\xFF"sv)) return Decoded{ToUtf8(DecodeUtf16(b.substr(2), true)), "UTF-16BE"};
  if (std::optional<bool> big_endian = LooksLikeBomlessUtf16(b))
    return Decoded{ToUtf8(DecodeUtf16(b, *big_endian)), *big_endian ? "UTF-16BE" : "UTF-16LE"};
  if (b.find('\0') != std::string_view::npos) return std::nullopt;
  if (IsValidUtf8(b)) {
    if (HasOnlyTwoByteSequences(b)) {
      if (std::optional<Decoded> d = DecodeEastAsian(b, kStrongPlausibility)) return d;
    }
    return Decoded{std::string(b), "UTF-8"};
  }
  if (std::optional<Decoded> d = DecodeIso2022Jp(b)) return d;
  if (std::optional<Decoded> d = DecodeEastAsian(b, kMinPlausibility)) return d;
  return DecodeWestern(b);
}

// ---- normalisation ----

bool IsControl(char32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

// Columns a character takes in a fixed-pitch font: East Asian wide characters take two.
int ColumnWidth(char32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

struct Normalised {
  std::string utf8;
  size_t characters = 0;
  size_t stray_controls = 0;  // control characters other than line and page breaks and tabs
};

Normalised Normalise(std::string_view utf8) {
  Normalised n;
  n.utf8.reserve(utf8.size());
  int column = 0;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t cp = NextUtf8(utf8, i);  // valid: every decoder above produces UTF-8
    ++n.characters;
    if (cp == '\r' || cp == '\n' || cp == '\f') {
      if (cp == '\r' && i < utf8.size() && utf8[i] == '\n') ++i;
      n.utf8 += cp == '\f' ? '\f' : '\n';
      column = 0;
    } else if (cp == '\t') {
      const int spaces = 8 - column % 8;
      n.utf8.append(spaces, ' ');
      column += spaces;
    } else if (IsControl(cp)) {
      ++n.stray_controls;
    } else if (cp != 0xFEFF) {
      AppendUtf8(n.utf8, cp);
      column += ColumnWidth(cp);
    }
  }
  return n;
}

// More than one character in twenty being a stray control character means binary data
// (a stray ^Z or escape in a real text file is far rarer).
bool LooksLikeBinary(const Normalised& n) { return n.stray_controls * 20 > n.characters; }

// ---- language ----

std::string DetectLanguage(std::string_view utf8, std::string_view charset) {
  size_t kana = 0, hangul = 0, han = 0, simplified = 0, traditional = 0;
  for (size_t i = 0; i < utf8.size();) {
    const char32_t cp = NextUtf8(utf8, i);
    if (cp < 0x3000) continue;
    if (IsKana(cp)) ++kana;
    if (IsHangul(cp)) ++hangul;
    if (IsHan(cp)) {
      ++han;
      simplified += Contains(kSimplifiedOnly, cp);
      traditional += Contains(kTraditionalOnly, cp);
    }
  }
  if (kana > 0 && kana >= hangul) return "ja";
  if (hangul > 0) return "ko";
  if (han == 0) return "";
  if (charset == "Big5") return "zh-tw";
  if (charset == "GB18030") return "zh-cn";
  return traditional > simplified ? "zh-tw" : "zh-cn";
}

}  // namespace

Result<DecodedText> DecodeText(std::string_view bytes, std::string_view display_name) {
  std::optional<Decoded> decoded = DecodeBytes(bytes);
  const auto not_text = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(display_name) + " does not look like text");
  };
  if (!decoded) return not_text();
  Normalised normalised = Normalise(decoded->utf8);
  if (LooksLikeBinary(normalised)) return not_text();
  DecodedText text;
  text.language = DetectLanguage(normalised.utf8, decoded->charset);
  text.utf8 = std::move(normalised.utf8);
  text.charset = std::move(decoded->charset);
  return text;
}

}  // namespace faxgate
