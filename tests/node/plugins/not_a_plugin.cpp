// A shared library that is no actorflow plugin (it exports neither plugin function).
extern "C" __attribute__((visibility("default"))) int some_other_library_function() { return 42; }
