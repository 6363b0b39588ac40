// Placement: where the live clients of desired-open connections run. One
// server runs them all itself (no Placement); in cluster mode src/cluster
// decides per client which instance runs it (cluster.h).
#ifndef CONNECTIVITY_CLUSTER_PLACEMENT_H_
#define CONNECTIVITY_CLUSTER_PLACEMENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "src/model/connection.h"
#include "src/model/errors.h"

namespace connectivity::cluster {

class Placement {
 public:
  virtual ~Placement() = default;

  // The connection is desired open (a command here or on another instance,
  // or start-up). `first_attempt` gets the outcome of the first connect if
  // this instance runs the connection's first client, else nullopt at once.
  // Any thread; never blocks.
  virtual void Desire(std::shared_ptr<const model::Connection> connection,
                      std::function<void(std::optional<model::DittoError>)> first_attempt) = 0;
  // Not desired open any more (closed, deleted). Any thread; never blocks.
  virtual void Release(std::string_view id) = 0;
};

}  // namespace connectivity::cluster

#endif  // CONNECTIVITY_CLUSTER_PLACEMENT_H_
