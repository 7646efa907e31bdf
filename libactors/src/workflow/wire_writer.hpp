#pragma once
// The Protocol Buffers wire format, written directly: for the messages encoded on every
// transition (snapshots, history events), where the generated code's clear/set/serialize costs
// several times the bytes themselves. Fields are written in field-number order and, as proto3's
// generated code does, scalars equal to zero and empty strings are left out: the generated
// parser reads the result exactly (tests/unit/snapshot_format_test.cpp checks every field).
#include <cstdint>
#include <string>
#include <string_view>

namespace actorflow::wire {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  // uint32/uint64/int32/int64/bool: negative values as their 64-bit two's complement (10 bytes),
  // as protobuf writes int32 and int64.
  void integer(int field, int64_t value) { integer(field, static_cast<uint64_t>(value)); }
  void integer(int field, uint64_t value) {
    if (value == 0) return;
    char head[20];
    char* end = varint(key(field, 0), head);
    end = varint(value, end);
    out_.append(head, static_cast<size_t>(end - head));
  }
  void integer(int field, int value) { integer(field, static_cast<int64_t>(value)); }
  // string/bytes; `always` for repeated elements, which are written even when empty.
  void text(int field, std::string_view value, bool always = false) {
    if (value.empty() && !always) return;
    char head[20];
    char* end = varint(key(field, 2), head);
    end = varint(value.size(), end);
    out_.append(head, static_cast<size_t>(end - head));
    out_.append(value);
  }
  // An embedded message already encoded (written even when empty: a repeated element).
  void message(int field, std::string_view encoded) { text(field, encoded, true); }

 private:
  static uint64_t key(int field, int wire_type) {
    return (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type);
  }
  // Writes `value` at `at` (at most 10 bytes); returns the end.
  static char* varint(uint64_t value, char* at) {
    while (value >= 0x80) {
      *at++ = static_cast<char>((value & 0x7f) | 0x80);
      value >>= 7;
    }
    *at++ = static_cast<char>(value);
    return at;
  }

  std::string& out_;
};

}  // namespace actorflow::wire
