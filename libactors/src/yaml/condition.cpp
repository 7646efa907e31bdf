#include "yaml/condition.hpp"

#include "config/scalars.hpp"
#include "yaml/json_pointer.hpp"

#include <array>
#include <vector>

namespace actorflow::yaml {
namespace {

enum class Op { eq, ne, lt, le, gt, ge, exists, in };

struct OpName {
  Op op;
  std::string_view symbol;  // shown in the condition's text
  std::string_view word;    // the same without YAML quoting trouble
};
constexpr std::array<OpName, 8> kOps{{
    {Op::eq, "==", "eq"}, {Op::ne, "!=", "ne"}, {Op::lt, "<", "lt"}, {Op::le, "<=", "le"},
    {Op::gt, ">", "gt"}, {Op::ge, ">=", "ge"}, {Op::exists, "exists", "exists"}, {Op::in, "in", "in"},
}};
constexpr std::string_view kOpsExpected = "==, !=, <, <=, >, >=, exists, in; or eq, ne, lt, le, gt, ge";
constexpr std::string_view kConditionExpected =
    "expected {path: /pointer, op: <op>, value: <value>}, {all: [...]}, {any: [...]}, {not: <condition>}, "
    "true or false";

// The value at `pointer`, or null when the data has none there. Never throws.
const Json* lookup(const Json& data, const Json::json_pointer& pointer) {
  try {
    return &data.at(pointer);
  } catch (...) {
    return nullptr;
  }
}

// Numbers order with numbers and strings with strings; anything else is not ordered.
bool ordered(const Json& left, const Json& right, Op op) {
  const bool comparable = (left.is_number() && right.is_number()) || (left.is_string() && right.is_string());
  if (!comparable) return false;
  switch (op) {
    case Op::lt: return left < right;
    case Op::le: return left <= right;
    case Op::gt: return left > right;
    case Op::ge: return left >= right;
    default: return false;
  }
}

Condition make_test(Op op, Json::json_pointer pointer, Json value) {
  return [op, pointer = std::move(pointer), value = std::move(value)](const Json& data) {
    const Json* found = lookup(data, pointer);
    if (op == Op::exists) return (found != nullptr) == value.get<bool>();
    if (found == nullptr) return false;
    switch (op) {
      case Op::eq: return *found == value;
      case Op::ne: return *found != value;
      case Op::in:
        for (const auto& element : value)
          if (*found == element) return true;
        return false;
      default: return ordered(*found, value, op);
    }
  };
}

std::optional<CompiledCondition> compile_comparison(const Source& source, const YAML::Node& node,
                                                    const YAML::Mark& at, const std::string& context, int depth) {
  MapFields fields(source, node, at, context, {"path", "op", "value"});
  if (!fields.is_map()) return std::nullopt;
  const bool has_path = fields.require("path");
  bool ok = fields.require("op") && has_path;
  auto path = read_pointer(fields, "path");
  // Unquoted, `!=` reads as a YAML tag and `>` as a folded block: both leave an empty scalar.
  const YAML::Node op_node = fields.value("op");
  std::optional<std::string> op_text;
  if (op_node.IsScalar() && op_node.Scalar().empty() && !op_node.Tag().empty() && op_node.Tag() != "?") {
    const std::string meant = op_node.Tag() == "!" ? ">" : op_node.Tag();
    fields.report("op", "YAML read an unquoted '" + meant + "' as " + (op_node.Tag() == "!" ? "a block scalar" : "a tag") +
                            ": quote it (op: \"" + meant + "\") or use the word (eq, ne, lt, le, gt, ge)");
  } else {
    op_text = fields.text("op");
  }
  std::optional<Op> op;
  std::string symbol;
  if (op_text) {
    for (const auto& name : kOps) {
      if (name.symbol != *op_text && name.word != *op_text) continue;
      op = name.op;
      symbol = name.symbol;
    }
    if (!op) fields.report("op", "unknown operator '" + *op_text + "' (expected one of: " + std::string(kOpsExpected) + ")");
  }
  std::optional<Json> value;
  if (fields.has("value")) value = yaml_to_json(source, fields.value("value"), fields.mark_of("value"), context, depth + 1);
  else if (op && *op != Op::exists) ok = fields.require("value") && ok;
  if (!ok || !path || !op || (fields.has("value") && !value)) return std::nullopt;

  CompiledCondition out;
  switch (*op) {
    case Op::exists:
      if (!value) value = true;
      if (!value->is_boolean()) {
        fields.report("value", "'exists' takes true or false, got " + value->dump());
        return std::nullopt;
      }
      out.text = *path + (value->get<bool>() ? " exists" : " does not exist");
      break;
    case Op::in:
      if (!value->is_array()) {
        fields.report("value", "'in' takes a list, got " + value->dump());
        return std::nullopt;
      }
      if (value->empty()) out.constancy = Constancy::never;
      out.text = *path + " in " + value->dump();
      break;
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge:
      if (!value->is_number() && !value->is_string()) {
        fields.report("value", "'" + symbol + "' compares with a number or a string, got " + value->dump());
        return std::nullopt;
      }
      [[fallthrough]];
    case Op::eq:
    case Op::ne:
      out.text = *path + " " + symbol + " " + value->dump();
      break;
  }
  out.test = make_test(*op, Json::json_pointer(*path), std::move(*value));
  return out;
}

std::optional<CompiledCondition> compile_combination(const Source& source, const YAML::Node& node,
                                                     const YAML::Mark& at, const std::string& context, int depth) {
  MapFields fields(source, node, at, context, {"all", "any", "not"});
  if (!fields.is_map()) return std::nullopt;
  const int given = int(fields.has("all")) + int(fields.has("any")) + int(fields.has("not"));
  if (given != 1) {
    source.report(fields.mark(), context, "a condition takes exactly one of all, any, not");
    return std::nullopt;
  }
  if (fields.has("not")) {
    auto inner = compile_condition(source, fields.value("not"), fields.mark_of("not"), context, depth + 1);
    if (!inner) return std::nullopt;
    CompiledCondition out;
    out.text = "not (" + inner->text + ")";
    out.constancy = inner->constancy == Constancy::always  ? Constancy::never
                    : inner->constancy == Constancy::never ? Constancy::always
                                                           : Constancy::varies;
    out.test = [inner = std::move(inner->test)](const Json& data) { return !inner(data); };
    return out;
  }
  const bool all = fields.has("all");
  const std::string_view key = all ? "all" : "any";
  const YAML::Node list = fields.value(key);
  if (!list.IsSequence() || list.size() == 0) {
    fields.report(key, "expected a non-empty list of conditions, got " + describe(list));
    return std::nullopt;
  }
  std::vector<CompiledCondition> parts;
  bool ok = true;
  for (const auto& item : list) {
    auto part = compile_condition(source, item, fields.mark_of(key), context, depth + 1);
    if (part) parts.push_back(std::move(*part));
    else ok = false;
  }
  if (!ok) return std::nullopt;

  CompiledCondition out;
  const Constancy decisive = all ? Constancy::never : Constancy::always;  // one such part decides
  const Constancy neutral = all ? Constancy::always : Constancy::never;   // such parts change nothing
  bool every_neutral = true;
  std::vector<Condition> tests;
  for (auto& part : parts) {
    if (!out.text.empty()) out.text += all ? " and " : " or ";
    out.text += parts.size() == 1 ? part.text : "(" + part.text + ")";
    if (part.constancy == decisive) out.constancy = decisive;
    every_neutral = every_neutral && part.constancy == neutral;
    tests.push_back(std::move(part.test));
  }
  if (out.constancy != decisive && every_neutral) out.constancy = neutral;
  out.test = [all, tests = std::move(tests)](const Json& data) {
    for (const auto& test : tests)
      if (test(data) != all) return !all;
    return all;
  };
  return out;
}

}  // namespace

std::optional<Json> yaml_to_json(const Source& source, const YAML::Node& node, const YAML::Mark& at,
                                 const std::string& context, int depth) {
  if (depth > kYamlDepthMax) {
    source.report(mark_or(node, at), context, "nested deeper than " + std::to_string(kYamlDepthMax) + " levels");
    return std::nullopt;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return Json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") return Json(text);  // quoted: a string whatever it reads like
      if (text == "null" || text == "~" || text == "Null" || text == "NULL") return Json(nullptr);
      if (auto b = config::scalar_boolean(text)) return Json(*b);
      if (auto i = config::scalar_integer(text)) return Json(*i);
      if (auto d = config::scalar_number(text)) return Json(*d);
      return Json(text);
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        auto element = yaml_to_json(source, item, mark_or(node, at), context, depth + 1);
        if (!element) return std::nullopt;
        out.push_back(std::move(*element));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        auto element = yaml_to_json(source, it->second, mark_or(it->first, at), context, depth + 1);
        if (!element) return std::nullopt;
        out[it->first.Scalar()] = std::move(*element);
      }
      return out;
    }
  }
  return Json(nullptr);
}

std::optional<CompiledCondition> compile_condition(const Source& source, const YAML::Node& node,
                                                   const YAML::Mark& at, const std::string& context,
                                                   int depth) {
  const YAML::Mark mark = mark_or(node, at);
  if (depth > kYamlDepthMax) {
    source.report(mark, context, "condition nested deeper than " + std::to_string(kYamlDepthMax) + " levels");
    return std::nullopt;
  }
  if (node.IsScalar()) {
    auto literal = node.Tag() == "!" ? std::nullopt : config::scalar_boolean(node.Scalar());
    if (!literal) {
      source.report(mark, context, "bad condition " + describe(node) + " (" + std::string(kConditionExpected) + ")");
      return std::nullopt;
    }
    CompiledCondition out;
    out.text = *literal ? "true" : "false";
    out.constancy = *literal ? Constancy::always : Constancy::never;
    out.test = [value = *literal](const Json&) { return value; };
    return out;
  }
  if (!node.IsMap()) {
    source.report(mark, context, "bad condition " + describe(node) + " (" + std::string(kConditionExpected) + ")");
    return std::nullopt;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    if (key == "all" || key == "any" || key == "not") return compile_combination(source, node, at, context, depth);
  }
  return compile_comparison(source, node, at, context, depth);
}

}  // namespace actorflow::yaml
