#include <actorflow/bounded_parse.hpp>
#include <actorflow/limits.hpp>

#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace actorflow {
namespace {

std::atomic<size_t> g_json_depth_max{limits::kJsonDepthMax};

Status too_deep_json(size_t depth_max) {
  return Status::error("JSON nests deeper than json_depth_max (" + std::to_string(depth_max) +
                       " levels of objects and arrays)");
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Reads YAML text line by line, keeping the columns of the block nodes open around the current
// line and the depth of open flow collections: an upper bound of the nesting yaml-cpp will see.
class YamlDepthScan {
 public:
  explicit YamlDepthScan(std::string_view text) : text_(text) {}

  // The first line (1-based) at which the nesting exceeds `depth_max`, or 0.
  size_t first_line_beyond(size_t depth_max) {
    size_t line_number = 0;
    for (size_t start = 0; start <= text_.size();) {
      size_t end = text_.find('\n', start);
      if (end == std::string_view::npos) end = text_.size();
      ++line_number;
      if (!scan_line(text_.substr(start, end - start), depth_max)) return line_number;
      start = end + 1;
    }
    return 0;
  }

 private:
  bool scan_line(std::string_view line, size_t depth_max) {
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    const bool blank = indent == line.size() || line[indent] == '#' || is_space(line[indent]);
    if (block_scalar_indent_ && (blank || indent > *block_scalar_indent_)) return true;
    block_scalar_indent_.reset();
    if (blank && quote_ == 0) return true;
    if (quote_ == 0) {
      while (!columns_.empty() && columns_.back() >= indent) columns_.pop_back();
      columns_.push_back(indent);
      // "- - - x" and "? ? x": each indicator opens one more level on the same line.
      size_t p = indent;
      while (p < line.size() && (line[p] == '-' || line[p] == '?') && (p + 1 == line.size() || line[p + 1] == ' ')) {
        ++p;
        while (p < line.size() && line[p] == ' ') ++p;
        columns_.push_back(p);
        if (columns_.size() + flow_depth_ > depth_max) return false;
      }
    }
    if (columns_.size() + flow_depth_ > depth_max) return false;
    return scan_flow(line, indent, depth_max);
  }

  // Quotes, flow brackets and comments; a block scalar indicator ('|' or '>', maybe with
  // modifiers) ending the line makes the more indented lines after it text, not nodes.
  bool scan_flow(std::string_view line, size_t indent, size_t depth_max) {
    size_t content_end = indent;  // after the last character that is neither space nor comment
    for (size_t i = indent; i < line.size(); ++i) {
      const char c = line[i];
      if (quote_ == '"') {
        if (c == '\\') ++i;
        else if (c == '"') quote_ = 0;
        content_end = i + 1;
        continue;
      }
      if (quote_ == '\'') {
        if (c == '\'') quote_ = 0;
        content_end = i + 1;
        continue;
      }
      if (c == '#' && (i == 0 || is_space(line[i - 1]))) break;
      // A quote opens a quoted scalar only where a scalar begins (not in "don't").
      const char before = content_end > indent ? line[content_end - 1] : 0;
      if ((c == '"' || c == '\'') && std::string_view("\0:-,[{?", 7).find(before) != std::string_view::npos) quote_ = c;
      else if (c == '[' || c == '{') {
        if (columns_.size() + ++flow_depth_ > depth_max) return false;
      } else if ((c == ']' || c == '}') && flow_depth_ > 0) {
        --flow_depth_;
      }
      if (!is_space(c)) content_end = i + 1;
    }
    if (quote_ == 0 && flow_depth_ == 0 && ends_with_block_indicator(line.substr(0, content_end)))
      block_scalar_indent_ = indent;
    return true;
  }

  static bool ends_with_block_indicator(std::string_view content) {
    size_t i = content.size();
    while (i > 0 && (content[i - 1] == '+' || content[i - 1] == '-' || (content[i - 1] >= '0' && content[i - 1] <= '9'))) --i;
    if (i == 0 || (content[i - 1] != '|' && content[i - 1] != '>')) return false;
    return i == 1 || is_space(content[i - 2]);
  }

  std::string_view text_;
  std::vector<size_t> columns_;
  size_t flow_depth_ = 0;
  char quote_ = 0;
  std::optional<size_t> block_scalar_indent_;
};

}  // namespace

size_t json_depth_max() { return g_json_depth_max.load(std::memory_order_relaxed); }
void set_json_depth_max(size_t depth_max) { g_json_depth_max.store(depth_max, std::memory_order_relaxed); }
size_t stored_json_depth_max() { return json_depth_max() + limits::kStoredJsonDepthMargin; }

Status json_text_depth(std::string_view text, size_t depth_max) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > depth_max) return too_deep_json(depth_max);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return Status::ok();
}

Status parse_json_limited(std::string_view text, Json& out, size_t depth_max) {
  if (Status depth = json_text_depth(text, depth_max); !depth) return depth;
  try {
    out = Json::parse(text);
  } catch (const Json::exception& e) {
    return Status::error(std::string("malformed JSON: ") + e.what());
  }
  return Status::ok();
}

Json parse_json_or_discarded(std::string_view text, size_t depth_max) {
  Json out;
  if (!parse_json_limited(text, out, depth_max)) return Json(Json::value_t::discarded);
  return out;
}

Json parse_json_or_throw(std::string_view text, size_t depth_max) {
  Json out;
  if (Status parsed = parse_json_limited(text, out, depth_max); !parsed) throw std::runtime_error(parsed.message());
  return out;
}

Status json_value_depth(const Json& value, size_t depth_max) {
  std::vector<std::pair<const Json*, size_t>> open{{&value, 1}};
  while (!open.empty()) {
    auto [node, depth] = open.back();
    open.pop_back();
    if (!node->is_structured()) continue;
    if (depth > depth_max) return too_deep_json(depth_max);
    for (const Json& child : *node)
      if (child.is_structured()) open.emplace_back(&child, depth + 1);
  }
  return Status::ok();
}

Status yaml_text_limits(std::string_view text, std::string_view source) {
  if (text.size() > limits::kYamlBytesMax)
    return Status::error(std::string(source) + ": YAML text of " + std::to_string(text.size()) +
                         " bytes exceeds yaml_bytes_max (" + std::to_string(limits::kYamlBytesMax) + ")");
  if (const size_t line = YamlDepthScan(text).first_line_beyond(limits::kYamlNestingMax); line != 0)
    return Status::error(std::string(source) + ":" + std::to_string(line) + ": YAML nests deeper than yaml_nesting_max (" +
                         std::to_string(limits::kYamlNestingMax) + " levels)");
  return Status::ok();
}

}  // namespace actorflow
