// ClusterRouting: which requests another instance of the cluster answers
// (SPEC §8). Live status, metrics and logs of a connection (and the
// commands that reset them) are answered by the instance that runs its
// first client; /devops/piggyback/connectivity/{instance} by that instance.
// The router asks these before dispatching; the hooks come from src/cluster
// through the daemon. A request that was forwarded once is never forwarded
// again (header x-connectivity-forwarded).
#ifndef CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_
#define CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/http/http_types.h"

namespace connectivity::http {

struct ClusterRouting {
  // The live instance other than this one that runs connection `id`'s first client, if any.
  std::function<std::optional<std::string>(std::string_view id)> owner_of;
  // Whether `instance` is a live instance other than this one.
  std::function<bool(std::string_view instance)> is_other_live;
  // Answers `request` by `instance` (its answer, or a 503 if it gives none in time).
  std::function<void(const std::string& instance, const HttpRequest& request, Respond respond)> forward;
};

// The connection whose live state `request` reads or resets (REST
// .../{id}/status|metrics|logs, or such a piggyback command), if any.
std::optional<std::string> LiveStateTarget(const HttpRequest& request, const std::vector<std::string_view>& segments);

// The path and the query as they came, for forwarding.
std::string PathAndQuery(const HttpRequest& request);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_
