#pragma once
// The roles an API token carries, ordered: read < operate < admin. A token of a higher role may do
// everything a lower one may.
#include <optional>
#include <string_view>

namespace actorflow::node::auth {

enum class Role { read = 1, operate = 2, admin = 3 };

// "read", "operate", "admin".
std::string_view to_string(Role role);
// The role named `text` (exactly as to_string writes it), or nothing.
std::optional<Role> parse_role(std::string_view text);
// True when a caller of role `held` may call a route that needs `needed`.
inline bool allows(Role held, Role needed) { return static_cast<int>(held) >= static_cast<int>(needed); }

}  // namespace actorflow::node::auth
