#pragma once
// Plain-text building blocks of the CLI's readable output.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace actorflow::cli {

// Columns left-aligned, two spaces apart, the header line first (none when `header` is empty);
// every line ends with '\n', no trailing spaces. A short row leaves its last cells empty.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// "label   value" lines, values aligned two spaces after the longest label; a value of several
// lines has its continuation lines aligned too.
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields);

// "2024-05-01 12:00:03Z" (UTC, from ms since the Unix epoch); "-" for 0 or less.
std::string format_utc(int64_t ms);

// `text` with every line after the first indented by `indent` spaces.
std::string indent_continuation(const std::string& text, size_t indent);

}  // namespace actorflow::cli
