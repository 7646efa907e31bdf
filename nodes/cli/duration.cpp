#include "duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace actorflow::cli {

namespace {

constexpr double max_ms = 30.0 * 24 * 3600 * 1000;

// Reads "12" or "1.5" at the front of `text`; nullopt when there is no number.
std::optional<double> take_number(std::string_view& text) {
  size_t i = 0;
  bool digits = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  double value = std::stod(std::string(text.substr(0, i)));
  text.remove_prefix(i);
  return value;
}

std::optional<double> take_unit_ms(std::string_view& text) {
  for (auto [unit, ms] : {std::pair{"ms", 1.0}, std::pair{"s", 1e3}, std::pair{"m", 60e3}, std::pair{"h", 3600e3}}) {
    std::string_view u(unit);
    if (text.substr(0, u.size()) == u) {
      text.remove_prefix(u.size());
      return ms;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double total = 0;
  std::string_view rest = text;
  auto first = take_number(rest);
  if (!first) return std::nullopt;
  if (rest.empty()) {
    total = *first * 1e3;
  } else {
    std::optional<double> number = first;
    while (true) {
      auto unit_ms = take_unit_ms(rest);
      if (!unit_ms) return std::nullopt;
      total += *number * *unit_ms;
      if (rest.empty()) break;
      number = take_number(rest);
      if (!number) return std::nullopt;
    }
  }
  if (total > max_ms) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total)));
}

std::string format_duration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  std::string sign = ms < 0 ? "-" : "";
  ms = std::llabs(ms);
  char text[64];
  if (ms < 1000) {
    std::snprintf(text, sizeof text, "%lldms", static_cast<long long>(ms));
  } else if (ms < 60'000) {
    if (ms % 1000 == 0) {
      std::snprintf(text, sizeof text, "%llds", static_cast<long long>(ms / 1000));
    } else {
      std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms / 100) / 10.0);
    }
  } else if (ms < 3'600'000) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  }
  return sign + text;
}

}  // namespace actorflow::cli
