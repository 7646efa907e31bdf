#pragma once
#include <actorflow/json_fwd.hpp>

#include <nlohmann/json.hpp>
