// Forwarder: asks another instance of the cluster over HTTP (SPEC §8):
// status, metrics and logs of a connection come from the instance that runs
// it, and /devops/piggyback/connectivity/{instance} reaches that instance.
//
// A forwarded request carries the caller's method, path, query, body,
// Authorization and Content-Type, plus "x-connectivity-forwarded" naming
// this instance, so that the other instance answers it itself (never
// forwards again). Each request runs on one of a few threads with the
// cluster's request timeout; no answer in time is a 503.
#ifndef CONNECTIVITY_CLUSTER_FORWARDER_H_
#define CONNECTIVITY_CLUSTER_FORWARDER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace connectivity::cluster {

inline constexpr char kForwardedHeader[] = "x-connectivity-forwarded";

struct ForwardRequest {
  std::string method;
  std::string path_and_query;  // as received, e.g. /api/2/connections/x/status
  std::map<std::string, std::string> headers;  // forwarded: authorization, content-type
  std::string body;
};

struct ForwardAnswer {
  int status = 0;  // 0: no answer (the error says why)
  std::string body;
  std::string content_type;
  std::string error;
};

class Forwarder {
 public:
  Forwarder(std::string instance, int64_t timeout_us, size_t threads = 4);
  ~Forwarder();  // Stop()
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Sends `request` to http://address and calls `done` with the answer, on
  // a forwarder thread.
  void Send(std::string address, ForwardRequest request, std::function<void(ForwardAnswer)> done);
  void Stop();

 private:
  void Run();
  ForwardAnswer Perform(const std::string& address, const ForwardRequest& request) const;

  const std::string instance_;
  const int64_t timeout_us_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;  // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace connectivity::cluster

#endif  // CONNECTIVITY_CLUSTER_FORWARDER_H_
