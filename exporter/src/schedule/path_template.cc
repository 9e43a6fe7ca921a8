#include "schedule/path_template.h"

#include <ctime>
#include <stdexcept>

namespace freshness {
namespace {

// strftime conversions that depend on the date only; time-of-day fields would always read 00.
constexpr std::string_view kDateConversions = "YymdejUWVGgbBhaAuwCFD%";

void ValidateFormat(const std::string& format) {
  if (format.empty()) throw std::invalid_argument("empty {as_of:} format");
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 >= format.size()) throw std::invalid_argument("format ends with a lone '%'");
    const char conversion = format[i + 1];
    if (kDateConversions.find(conversion) == std::string_view::npos) {
      throw std::invalid_argument(std::string("unsupported conversion %") + conversion +
                                  " in {as_of:" + format + "} (date fields only)");
    }
    ++i;
  }
}

}  // namespace

PathTemplate::PathTemplate(std::string text) : text_(std::move(text)) {
  std::string literal;
  for (std::size_t i = 0; i < text_.size(); ++i) {
    const char c = text_[i];
    if (c == '}') throw std::invalid_argument("unmatched '}' at offset " + std::to_string(i));
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t close = text_.find('}', i);
    if (close == std::string::npos) {
      throw std::invalid_argument("unclosed '{' at offset " + std::to_string(i));
    }
    const std::string body = text_.substr(i + 1, close - i - 1);
    constexpr std::string_view kPrefix = "as_of:";
    if (body.compare(0, kPrefix.size(), kPrefix) != 0) {
      throw std::invalid_argument("unknown placeholder {" + body + "} (only {as_of:FMT})");
    }
    const std::string format = body.substr(kPrefix.size());
    ValidateFormat(format);
    if (!literal.empty()) parts_.emplace_back(std::move(literal));
    literal.clear();
    parts_.emplace_back(DateField{format});
    dated_ = true;
    i = close;
  }
  if (!literal.empty()) parts_.emplace_back(std::move(literal));
}

std::optional<std::string> PathTemplate::Expand(date::sys_days as_of) const {
  if (!dated_) return text_;
  const date::year_month_day ymd(as_of);
  const date::sys_days year_start = date::sys_days(ymd.year() / date::January / 1);
  std::tm fields{};
  fields.tm_year = static_cast<int>(ymd.year()) - 1900;
  fields.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  fields.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  fields.tm_wday = static_cast<int>(date::weekday(as_of).c_encoding());
  fields.tm_yday = static_cast<int>((as_of - year_start).count());
  fields.tm_isdst = -1;
  std::string out;
  char buffer[kMaxExpandedLength + 1];
  for (const auto& part : parts_) {
    if (const auto* text = std::get_if<std::string>(&part)) {
      out += *text;
    } else {
      const std::string& format = std::get<DateField>(part).format;
      const std::size_t written = std::strftime(buffer, sizeof buffer, format.c_str(), &fields);
      if (written == 0) return std::nullopt;  // too long (every valid format writes something)
      out.append(buffer, written);
    }
    if (out.size() > kMaxExpandedLength) return std::nullopt;
  }
  return out;
}

}  // namespace freshness
