// Builds the precompiled header every test executable reuses (tests/CMakeLists.txt).
