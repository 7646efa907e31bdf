#pragma once
// Finding what a page shows in the DOM Chromium dumps (serialized HTML): enough for assertions,
// not an HTML parser.
#include <optional>
#include <string>
#include <vector>

namespace actorflow::testing {

// The text directly inside the element with id="<id>", up to its first child tag; none when no
// element has that id.
std::optional<std::string> text_of_id(const std::string& dom, const std::string& id);

// From the first `begin` to the nearest of `ends` after it (or the end); empty when no `begin`.
std::string region(const std::string& dom, const std::string& begin, const std::vector<std::string>& ends);

// The <tr>...</tr> holding the first occurrence of `needle`; empty when none.
std::string table_row_with(const std::string& dom, const std::string& needle);

// `text` as the DOM serializer writes it in a text node (&, <, > escaped).
std::string html_text(const std::string& text);

}  // namespace actorflow::testing
