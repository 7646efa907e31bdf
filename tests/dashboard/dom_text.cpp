#include "dom_text.hpp"

namespace actorflow::testing {

std::optional<std::string> text_of_id(const std::string& dom, const std::string& id) {
  const size_t at = dom.find("id=\"" + id + "\"");
  if (at == std::string::npos) return std::nullopt;
  const size_t open_end = dom.find('>', at);
  if (open_end == std::string::npos) return std::nullopt;
  const size_t next_tag = dom.find('<', open_end);
  return dom.substr(open_end + 1, (next_tag == std::string::npos ? dom.size() : next_tag) - open_end - 1);
}

std::string region(const std::string& dom, const std::string& begin, const std::vector<std::string>& ends) {
  const size_t start = dom.find(begin);
  if (start == std::string::npos) return {};
  size_t stop = dom.size();
  for (const auto& end : ends) {
    const size_t at = dom.find(end, start + begin.size());
    if (at != std::string::npos && at < stop) stop = at;
  }
  return dom.substr(start, stop - start);
}

std::string table_row_with(const std::string& dom, const std::string& needle) {
  const size_t at = dom.find(needle);
  if (at == std::string::npos) return {};
  const size_t start = dom.rfind("<tr", at);
  const size_t stop = dom.find("</tr>", at);
  if (start == std::string::npos || stop == std::string::npos) return {};
  return dom.substr(start, stop + 5 - start);
}

std::string html_text(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

}  // namespace actorflow::testing
