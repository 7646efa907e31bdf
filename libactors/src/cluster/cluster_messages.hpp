#pragma once
// Messages of the cluster. Those between nodes (through CAF's middleman) hold only built-in types
// (strings, integers, bools, actor handles), which every node serialises without registration.
#include <caf/atom.hpp>

namespace actorflow {

// Between nodes, to a node gateway:
//   (fwd_start_atom, definition, workflow id, input JSON, parent id, parent step path)
//                                                            -> (bool stored, std::string error)
//   (fwd_signal_atom, workflow id)                           its inbox grew (no answer)
//   (fwd_child_atom, parent id, step path)                   a child workflow of the parent ended
//   (fwd_retry_atom, workflow id, by)                        -> std::string error (empty: ok)
//   (fwd_sched_atom, message for the scheduler)              -> std::string error (empty: ok)
//   (rstep_atom, handler, workflow id, step path, attempt, compensation, input JSON, token,
//    reply-to actor)                                         run a step here for an instance there
//   (peer_hello_atom, node id, its gateway)                  the node that opened this connection
//                                                            introduces its gateway (no answer)
// and back to the instance that dispatched the step:
//   (rstep_done_atom, step path, token, ok, output JSON, error, retryable)
using fwd_start_atom = caf::atom_constant<caf::atom("fwdstart")>;
using fwd_signal_atom = caf::atom_constant<caf::atom("fwdsignal")>;
using fwd_child_atom = caf::atom_constant<caf::atom("fwdchild")>;
using fwd_retry_atom = caf::atom_constant<caf::atom("fwdretry")>;
using fwd_sched_atom = caf::atom_constant<caf::atom("fwdsched")>;
using rstep_atom = caf::atom_constant<caf::atom("rstep")>;
using rstep_done_atom = caf::atom_constant<caf::atom("rstepdone")>;
using peer_hello_atom = caf::atom_constant<caf::atom("peerhello")>;

// Within a node:
//   shard manager: (join_atom) -> int32_t: a first round now (Engine::recover), answered with the
//                  workflows it resumed; (tick_atom): the timer's round; (fenced_atom, int32_t shard);
//                  (peer_hello_atom, node id, gateway) from the gateway
//   supervisor:    (shard_atom, int32_t shard, bool hand_over) -> bool once no instance of the
//                  shard runs (hand_over: each finishes its running steps first, bounded)
//   instance:      (handoff_atom): finish running steps, start nothing, then stop
using join_atom = caf::atom_constant<caf::atom("join")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using fenced_atom = caf::atom_constant<caf::atom("fenced")>;
using shard_atom = caf::atom_constant<caf::atom("shard")>;
using handoff_atom = caf::atom_constant<caf::atom("handoff")>;

}  // namespace actorflow
