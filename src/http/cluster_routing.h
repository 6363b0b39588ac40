// ClusterRouting: which requests another instance of the cluster answers
// (SPEC §8). Live status, metrics and logs of a connection (and the
// commands that reset them) are answered by the instance that runs its
// first client; /devops/piggyback/connectivity/{instance} by that instance;
// a piggyback read addressed to no instance, with aggregate (the default),
// by every live instance, as Ditto's gateway aggregates the answers of
// every connectivity instance (REF §1.4) (AnswerGather).
// The router asks these before dispatching; the hooks come from src/cluster
// through the daemon. A request that was forwarded once is never forwarded
// again (header x-connectivity-forwarded).
#ifndef CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_
#define CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/mutex.h"
#include "src/http/http_types.h"

namespace connectivity::http {

struct ClusterRouting {
  // The live instance other than this one that runs connection `id`'s first client, if any.
  std::function<std::optional<std::string>(std::string_view id)> owner_of;
  // Whether `instance` is a live instance other than this one.
  std::function<bool(std::string_view instance)> is_other_live;
  // Answers `request` by `instance` (its answer, or a 503 if it gives none in time).
  std::function<void(const std::string& instance, const HttpRequest& request, Respond respond)> forward;
  // The live instances other than this one.
  std::function<std::vector<std::string>()> other_live;
};

// Whether a piggyback request (/devops/piggyback[/connectivity]) is answered
// by every live instance: addressed to no instance (path or envelope), with
// aggregate true or absent, and a read of the stored connections
// (connectivity.commands:retrieve..., not the live state one instance owns).
// Writes run once, on the instance asked: run on every instance, as in
// Ditto, they would only add 409/404 answers or repeat a modify's event.
bool AnsweredByEveryInstance(const HttpRequest& request, const std::vector<std::string_view>& segments);

// Collects the answers of the instances to one piggyback request and
// answers once all came (the forwarder bounds each by the request timeout):
// {"connectivity":{"<instance>":<answer>,...}} in instance order. An answer
// of another instance that is not of that form (no answer in time) is left
// out, as Ditto's gateway leaves out an instance that does not answer; this
// instance's answer, if not of that form (an error before dispatch), is the
// answer. Thread-safe: answers come on any thread.
class AnswerGather {
 public:
  AnswerGather(size_t expected, Respond respond);
  void Local(HttpAnswer answer);
  void Remote(HttpAnswer answer);

 private:
  void Add(bool local, HttpAnswer answer) EXCLUDES(mutex_);

  Mutex mutex_;
  size_t pending_ GUARDED_BY(mutex_);  // answers still to come
  // This instance's answer when it is not per instance (it is then the answer).
  std::optional<HttpAnswer> local_plain_ GUARDED_BY(mutex_);
  std::map<std::string, std::string> by_instance_ GUARDED_BY(mutex_);  // instance -> minified answer
  const Respond respond_;  // called once, by the last answer's thread
};

// The connection whose live state `request` reads or resets (REST
// .../{id}/status|metrics|logs, or such a piggyback command), if any.
std::optional<std::string> LiveStateTarget(const HttpRequest& request, const std::vector<std::string_view>& segments);

// The path and the query as they came, for forwarding.
std::string PathAndQuery(const HttpRequest& request);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_CLUSTER_ROUTING_H_
