#pragma once
// The dashboard's files (web/), compiled in: each function is generated from its file at build
// time by embed_asset.cmake and returns the file's bytes, which live as long as the program.
#include <string_view>

namespace actorflow::node::web {

std::string_view index_html();
std::string_view app_js();
std::string_view style_css();

}  // namespace actorflow::node::web
