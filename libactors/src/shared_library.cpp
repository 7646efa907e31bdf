// The shared libraries (cmake/SharedLibraries.cmake) are linked from the static archives whole;
// a library target needs a source of its own.
