#pragma once
// Message atoms of the actors the library exposes (CAF 0.17: at most 10 characters).
#include <actorflow/export.hpp>
#include <caf/atom.hpp>

namespace ACTORFLOW_API actorflow {

using acquire_atom = caf::atom_constant<caf::atom("acquire")>;   // breaker: may I call?
using record_atom = caf::atom_constant<caf::atom("record")>;     // breaker: how the call went
using state_atom = caf::atom_constant<caf::atom("state")>;       // any: report your state
using child_atom = caf::atom_constant<caf::atom("child")>;       // supervisor: current child by name
using restarts_atom = caf::atom_constant<caf::atom("restarts")>; // supervisor: restarts so far

}  // namespace actorflow
