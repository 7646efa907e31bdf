#include "role.hpp"

namespace actorflow::node::auth {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::read: return "read";
    case Role::operate: return "operate";
    case Role::admin: return "admin";
  }
  return "admin";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::read, Role::operate, Role::admin})
    if (text == to_string(role)) return role;
  return std::nullopt;
}

}  // namespace actorflow::node::auth
