#pragma once
// Parsing untrusted text within the limits of limits.hpp. nlohmann-json and yaml-cpp parse (and
// our walks over their values recurse) one stack frame a nesting level: text nested 100,000 deep
// would overflow the stack. So every JSON and YAML text is first scanned without recursion and
// refused when it nests deeper than the limit, before the parser sees it. Thread-safe.
#include <actorflow/export.hpp>
#include <actorflow/json.hpp>
#include <actorflow/status.hpp>

#include <cstddef>
#include <string_view>

namespace ACTORFLOW_API actorflow {

// The process-wide JSON depth limit (limits::kJsonDepthMax unless set; the node sets it from
// limits.json_depth_max before it creates its engine). Every parse below uses it by default.
size_t json_depth_max();
void set_json_depth_max(size_t depth_max);

// Data the node wrote itself, read back from its store or sent by a peer, wraps what it accepted
// (an input of json_depth_max levels under step outputs and records): it is read with this
// larger limit, json_depth_max() + limits::kStoredJsonDepthMargin.
size_t stored_json_depth_max();

// Error when `text` nests objects/arrays deeper than `depth_max` (`{}` is depth 1), naming
// json_depth_max; ok otherwise (also for malformed text: the parser reports that).
Status json_text_depth(std::string_view text, size_t depth_max = json_depth_max());

// Parses `text` into `out`: the depth check, then the parser. Error: too deep, or malformed
// ("malformed JSON: <parser message>"). Never throws.
Status parse_json_limited(std::string_view text, Json& out, size_t depth_max = json_depth_max());

// As parse_json_limited, for callers that test is_discarded() (too deep or malformed).
Json parse_json_or_discarded(std::string_view text, size_t depth_max = json_depth_max());
// As parse_json_limited, throwing std::runtime_error with the Status message.
Json parse_json_or_throw(std::string_view text, size_t depth_max = json_depth_max());

// Error when a value built in memory (the C++ API's inputs and payloads) nests deeper than
// `depth_max`. Iterative.
Status json_value_depth(const Json& value, size_t depth_max = json_depth_max());

// Error when YAML `text` is larger than limits::kYamlBytesMax or nests (block indentation,
// "- " and "? " indicators, flow [ and {) deeper than limits::kYamlNestingMax; `source` names
// the text in the message.
Status yaml_text_limits(std::string_view text, std::string_view source);

}  // namespace actorflow
