#pragma once
// YAML texts and files read within the limits of limits.hpp: size, nesting, one document.
// `noun` names what the text should hold in problems ("node config", "chaos config").
#include "config/source.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace actorflow::config {

// The text of the file at `path`; nothing, with the problem added, when it is missing, not a
// regular file, unreadable or larger than limits::kYamlBytesMax.
std::optional<std::string> read_yaml_file(const std::string& path, std::string_view noun, Problems& problems);

// The documents of `text`; nothing, with the problem added, when it is larger than
// limits::kYamlBytesMax, nests too deep (yaml_text_limits) or is malformed.
std::optional<std::vector<YAML::Node>> parse_yaml_documents(std::string_view text, const Source& source,
                                                            std::string_view noun);

// As parse_yaml_documents for a text of one document: a second one is reported (the first is
// still returned), an empty text is a null node.
std::optional<YAML::Node> parse_yaml_document(std::string_view text, const Source& source, std::string_view noun);

}  // namespace actorflow::config
