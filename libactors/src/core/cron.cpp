#include <actorflow/cron.hpp>

#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <span>
#include <sstream>
#include <utility>
#include <vector>

namespace actorflow {

namespace {

// A date in the proleptic Gregorian calendar.
struct Civil {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMinutesPerDay = 24 * 60;

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Howard Hinnant's civil_from_days: the date `days` after 1970-01-01.
Civil civil_from_days(int64_t days) {
  days += 719'468;  // days from 0000-03-01 to 1970-01-01
  const int64_t era = floor_div(days, 146'097);
  const int64_t day_of_era = days - era * 146'097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11], 0 = March
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap_year(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int64_t year, int month) {
  static constexpr std::array<int, 13> kDays{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month];
}

// 0 = Sunday; 1970-01-01 was a Thursday.
int weekday_of(int64_t days) {
  return static_cast<int>(days - floor_div(days + 4, 7) * 7 + 4);
}

// The lowest set bit of `bits` at or above `from`, or -1.
int next_set(uint64_t bits, int from) {
  if (from > 63) return -1;
  const uint64_t rest = bits & (~uint64_t{0} << from);
  return rest == 0 ? -1 : std::countr_zero(rest);
}

// The highest set bit of `bits` at or below `to`, or -1.
int last_set(uint64_t bits, int to) {
  if (to < 0) return -1;
  const uint64_t rest = to >= 63 ? bits : bits & ((uint64_t{1} << (to + 1)) - 1);
  return rest == 0 ? -1 : 63 - std::countl_zero(rest);
}

// ---- parsing ----

struct FieldSpec {
  std::string_view name;
  int value_min;
  int value_max;
  std::span<const std::string_view> names;  // names[i] stands for value_min + i
  std::string_view names_kind;               // e.g. "month name (JAN-DEC)"
};

constexpr std::array<std::string_view, 12> kMonthNames{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kWeekdayNames{"SUN", "MON", "TUE", "WED",
                                                        "THU", "FRI", "SAT"};

const std::array<FieldSpec, 5> kFields{{
    {"minute", 0, 59, {}, ""},
    {"hour", 0, 23, {}, ""},
    {"day-of-month", 1, 31, {}, ""},
    {"month", 1, 12, kMonthNames, "month name (JAN-DEC)"},
    {"day-of-week", 0, 7, kWeekdayNames, "day name (SUN-SAT)"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMacros{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const size_t begin = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > begin) fields.push_back(text.substr(begin, i - begin));
  }
  return fields;
}

// Parses one field into a bit set; the problem, without the "cron '...'" prefix, on failure.
class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view field) : spec_(spec), field_(field) {}

  std::optional<std::string> parse(uint64_t& bits) {
    bits = 0;
    size_t begin = 0;
    while (true) {
      const size_t comma = field_.find(',', begin);
      const std::string_view item = field_.substr(begin, comma - begin);
      if (item.empty()) return problem("empty list item");
      if (auto p = parse_item(item, bits)) return p;
      if (comma == std::string_view::npos) break;
      begin = comma + 1;
    }
    return std::nullopt;
  }

 private:
  std::string problem(std::string_view what) const {
    std::ostringstream out;
    out << spec_.name << " field '" << field_ << "': " << what;
    return out.str();
  }

  std::optional<std::string> parse_item(std::string_view item, uint64_t& bits) {
    std::string_view range = item;
    int step = 1;
    const size_t slash = item.find('/');
    if (slash != std::string_view::npos) {
      range = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      const auto parsed = parse_int(step_text);
      if (!parsed) return problem("step '" + std::string(step_text) + "' is not a number");
      if (*parsed < 1 || *parsed > spec_.value_max)
        return problem("step " + std::string(step_text) + " out of range 1-" +
                       std::to_string(spec_.value_max));
      step = *parsed;
      if (range.empty())
        return problem("step '/" + std::string(step_text) + "' needs a range before it");
    }
    int first = spec_.value_min;
    int last = spec_.value_max;
    if (range != "*") {
      const size_t dash = range.find('-');
      if (dash == std::string_view::npos) {
        if (slash != std::string_view::npos)
          return problem("'" + std::string(item) +
                         "': a step needs '*' or a range before it, e.g. '" + std::string(range) +
                         "-" + std::to_string(spec_.value_max) + std::string(item.substr(slash)) +
                         "'");
        auto value = parse_value(range);
        if (auto* p = std::get_if<std::string>(&value)) return std::move(*p);
        first = last = std::get<int>(value);
      } else {
        auto low = parse_value(range.substr(0, dash));
        if (auto* p = std::get_if<std::string>(&low)) return std::move(*p);
        const std::string_view high_text = range.substr(dash + 1);
        auto high = parse_value(high_text);
        if (auto* p = std::get_if<std::string>(&high)) return std::move(*p);
        first = std::get<int>(low);
        last = std::get<int>(high);
        // `FRI-SUN`: a range that ends in Sunday's name ends at 7.
        if (spec_.names.data() == kWeekdayNames.data() && last == 0 && first > 0 &&
            equals_ignoring_case(high_text, "SUN"))
          last = 7;
        if (first > last)
          return problem("range " + std::string(range) + " goes backwards");
      }
    }
    for (int v = first; v <= last; v += step) bits |= uint64_t{1} << v;
    return std::nullopt;
  }

  // A number or a name in range, or the problem.
  std::variant<int, std::string> parse_value(std::string_view text) const {
    if (text.empty()) return problem("missing number");
    int value = 0;
    if (std::isdigit(static_cast<unsigned char>(text.front()))) {
      const auto parsed = parse_int(text);
      if (!parsed) return problem("'" + std::string(text) + "' is not a number");
      value = *parsed;
    } else {
      int found = -1;
      for (size_t i = 0; i < spec_.names.size(); ++i)
        if (equals_ignoring_case(text, spec_.names[i])) found = static_cast<int>(i);
      if (found < 0) {
        std::string what = "'" + std::string(text) + "' is not a number";
        if (!spec_.names.empty()) what += " or a " + std::string(spec_.names_kind);
        return problem(what);
      }
      value = spec_.value_min + found;
    }
    if (value < spec_.value_min || value > spec_.value_max) {
      std::ostringstream out;
      out << spec_.name << " " << value << " out of range " << spec_.value_min << "-"
          << spec_.value_max;
      return problem(out.str());
    }
    return value;
  }

  // Digits only; values too big for an int come back as INT_MAX (out of every range).
  static std::optional<int> parse_int(std::string_view text) {
    if (text.empty()) return std::nullopt;
    for (char c : text)
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) return std::numeric_limits<int>::max();
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
  }

  const FieldSpec& spec_;
  std::string_view field_;
};

}  // namespace

std::variant<CronExpression, Status> CronExpression::parse(std::string_view text) {
  auto fail = [&](std::string_view what) {
    std::string message = "cron '";
    message.append(text.substr(0, 100));
    if (text.size() > 100) message += "...";
    message += "': ";
    message += what;
    return Status::error(std::move(message));
  };
  if (text.size() > kTextBytesMax)
    return fail("longer than " + std::to_string(kTextBytesMax) + " bytes");

  std::vector<std::string_view> fields = split_fields(text);
  if (!fields.empty() && fields.front().front() == '@') {
    std::string_view expanded;
    for (const auto& [macro, meaning] : kMacros)
      if (equals_ignoring_case(fields.front(), macro)) expanded = meaning;
    if (expanded.empty())
      return fail("unknown macro '" + std::string(fields.front()) +
                  "', expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, "
                  "@hourly");
    if (fields.size() != 1)
      return fail("macro " + std::string(fields.front()) + " takes no fields after it");
    fields = split_fields(expanded);
  }
  if (fields.size() != kFields.size())
    return fail("expected 5 fields (minute hour day-of-month month day-of-week), got " +
                std::to_string(fields.size()));

  CronExpression cron;
  cron.text_ = std::string(text);
  std::array<uint64_t, 5> bits{};
  for (size_t i = 0; i < kFields.size(); ++i) {
    FieldParser parser(kFields[i], fields[i]);
    if (auto problem = parser.parse(bits[i])) return fail(*problem);
  }
  cron.minutes_ = bits[0];
  cron.hours_ = bits[1];
  cron.days_of_month_ = bits[2];
  cron.months_ = bits[3];
  // Day 7 is Sunday, like day 0.
  cron.days_of_week_ = (bits[4] & 0x7f) | ((bits[4] >> 7) & 1);
  cron.day_of_month_star_ = fields[2].front() == '*';
  cron.day_of_week_star_ = fields[4].front() == '*';
  return cron;
}

bool CronExpression::day_matches(int day_of_month, int weekday) const {
  const bool by_day_of_month = (days_of_month_ >> day_of_month) & 1;
  const bool by_day_of_week = (days_of_week_ >> weekday) & 1;
  if (day_of_month_star_ || day_of_week_star_) return by_day_of_month && by_day_of_week;
  return by_day_of_month || by_day_of_week;
}

std::optional<int64_t> CronExpression::next_after(int64_t after_ms) const {
  const int64_t minute_first = floor_div(after_ms, kMsPerMinute) + 1;
  int64_t days = floor_div(minute_first, kMinutesPerDay);
  Civil date = civil_from_days(days);
  const int64_t year_last = date.year + kSearchYearsMax;
  int hour_from = static_cast<int>((minute_first - days * kMinutesPerDay) / 60);
  int minute_from = static_cast<int>((minute_first - days * kMinutesPerDay) % 60);

  while (date.year <= year_last) {
    const int month_days = days_in_month(date.year, date.month);
    if (!((months_ >> date.month) & 1)) {  // on to the first day of the next month
      days += month_days - date.day + 1;
      date = {date.month == 12 ? date.year + 1 : date.year, date.month % 12 + 1, 1};
      hour_from = minute_from = 0;
      continue;
    }
    if (day_matches(date.day, weekday_of(days))) {
      for (int hour = next_set(hours_, hour_from); hour >= 0; hour = next_set(hours_, hour + 1)) {
        const int minute = next_set(minutes_, hour == hour_from ? minute_from : 0);
        if (minute < 0) continue;
        const int64_t minutes = days * kMinutesPerDay + hour * 60 + minute;
        if (minutes > std::numeric_limits<int64_t>::max() / kMsPerMinute) return std::nullopt;
        return minutes * kMsPerMinute;
      }
    }
    ++days;  // on to the next day
    if (date.day < month_days) {
      ++date.day;
    } else {
      date = {date.month == 12 ? date.year + 1 : date.year, date.month % 12 + 1, 1};
    }
    hour_from = minute_from = 0;
  }
  return std::nullopt;
}

std::optional<int64_t> CronExpression::last_at_or_before(int64_t at_ms) const {
  const int64_t minute_last = floor_div(at_ms, kMsPerMinute);
  int64_t days = floor_div(minute_last, kMinutesPerDay);
  Civil date = civil_from_days(days);
  const int64_t year_first = date.year - kSearchYearsMax;
  int hour_to = static_cast<int>((minute_last - days * kMinutesPerDay) / 60);
  int minute_to = static_cast<int>((minute_last - days * kMinutesPerDay) % 60);

  while (date.year >= year_first) {
    if (!((months_ >> date.month) & 1)) {  // back to the last day of the previous month
      days -= date.day;
      const int64_t year = date.month == 1 ? date.year - 1 : date.year;
      const int month = date.month == 1 ? 12 : date.month - 1;
      date = {year, month, days_in_month(year, month)};
      hour_to = 23;
      minute_to = 59;
      continue;
    }
    if (day_matches(date.day, weekday_of(days))) {
      for (int hour = last_set(hours_, hour_to); hour >= 0; hour = last_set(hours_, hour - 1)) {
        const int minute = last_set(minutes_, hour == hour_to ? minute_to : 59);
        if (minute < 0) continue;
        const int64_t minutes = days * kMinutesPerDay + hour * 60 + minute;
        if (minutes < std::numeric_limits<int64_t>::min() / kMsPerMinute) return std::nullopt;
        return minutes * kMsPerMinute;
      }
    }
    --days;  // back to the previous day
    if (date.day > 1) {
      --date.day;
    } else {
      const int64_t year = date.month == 1 ? date.year - 1 : date.year;
      const int month = date.month == 1 ? 12 : date.month - 1;
      date = {year, month, days_in_month(year, month)};
    }
    hour_to = 23;
    minute_to = 59;
  }
  return std::nullopt;
}

}  // namespace actorflow
