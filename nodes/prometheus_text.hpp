#pragma once
// EngineMetrics in the Prometheus text exposition format (version 0.0.4), every family with its
// HELP and TYPE lines, names prefixed "actorflow_"; actorflow_build_info{version,revision} first.
#include <actorflow/metrics.hpp>

#include <string>

namespace actorflow::node {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_prometheus(const EngineMetrics& metrics, const std::string& node_id = {});

}  // namespace actorflow::node
