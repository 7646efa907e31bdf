# cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DFUNCTION=<name> -P embed_asset.cmake
# Writes a C++ source defining `std::string_view actorflow::node::web::<FUNCTION>()` that returns
# the bytes of INPUT, as one raw string literal. Run at build time, so editing a web file rebuilds.
foreach(required INPUT OUTPUT FUNCTION)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "embed_asset.cmake: -D${required}=... is missing")
  endif()
endforeach()

file(READ "${INPUT}" content)
set(delimiter "actorflow_asset")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_asset.cmake: ${INPUT} contains the raw-string end ')${delimiter}\"'")
endif()

file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by embed_asset.cmake: edit that file, not this one.\n"
  "#include \"web_assets.hpp\"\n\n"
  "namespace actorflow::node::web {\n\n"
  "std::string_view ${FUNCTION}() {\n"
  "  static constexpr char bytes[] = R\"${delimiter}(${content})${delimiter}\";\n"
  "  return {bytes, sizeof(bytes) - 1};\n"
  "}\n\n"
  "}  // namespace actorflow::node::web\n")
