// connectivity-cluster-bench: the cluster-mode figures of issue 14, each
// against running processes on loopback (scripts/cluster up), each bounded
// in time. Workloads:
//   etcd-txns    --endpoints E --seconds S --concurrency C
//                the append transaction of the etcd journal (compare the head,
//                put a 1,000-byte record and the head; read both back on
//                failure), new streams, C in flight: etcd's ceiling here
//   creates      --ports P[,P...] --seconds S --concurrency C
//                durable creates through the instances (PUT a new connection,
//                round robin over the ports), creates/s and latency
//   reads        --ports P[,P...] --seconds S --concurrency C
//                GET of one connection: latency (run against a linearizable
//                and a --cluster-reads local instance: the difference is the
//                read barrier's wait)
//   watch-delay  --ports WRITER,READER --count N
//                modify on WRITER, then poll READER (a --cluster-reads local
//                instance) until it serves the new revision: the delay
// Output: one line of JSON per run.
#include <curl/curl.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal/etcd/etcd_client.h"
#include "journal/etcd/etcd_codec.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace etcd = connectivity::journal::etcd;

struct Args {
  std::string command;
  std::string endpoints;
  std::vector<int> ports;
  int seconds = 10;
  int concurrency = 64;
  int count = 200;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

struct Http {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  Http() {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_USERPWD, "devops:foobar");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  }
  ~Http() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
  // Returns the status; the body goes to *body if given.
  long Call(const std::string& method, int port, const std::string& path, const std::string& body,
            std::string* response = nullptr) {
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/2/connections" + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    if (response != nullptr) {
      response->clear();
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, response);
    } else {
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    }
    if (curl_easy_perform(curl) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }
};

std::string Connection(const std::string& address) {
  return R"({"connectionType":"mqtt","connectionStatus":"closed","uri":"tcp://127.0.0.1:1883",)"
         R"("sources":[{"addresses":[")" + address + R"("],"qos":1,"authorizationContext":["ditto:inbound"]}]})";
}

int EtcdTxns(const Args& args) {
  etcd::EtcdClientOptions options;
  auto endpoints = etcd::ParseEtcdUri("etcd://" + args.endpoints);
  if (!endpoints.ok()) return 2;
  options.endpoints = *endpoints;
  auto client = etcd::EtcdClient::Connect(options);
  if (!client.ok()) return 2;
  const std::string payload(1000, 'p');
  const std::string run = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch()).count());
  const auto deadline = Clock::now() + std::chrono::seconds(args.seconds);
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> sequence{0};
  std::atomic<int> in_flight{0};
  std::mutex mutex;
  std::condition_variable idle;
  std::function<void()> send = [&] {
    if (Clock::now() >= deadline) {
      if (--in_flight == 0) idle.notify_all();
      return;
    }
    struct Call {
      grpc::ClientContext context;
      etcdserverpb::TxnRequest request;
      etcdserverpb::TxnResponse response;
    };
    auto call = std::make_shared<Call>();
    const std::string stream = "bench-" + run + "-" + std::to_string(sequence.fetch_add(1));
    const std::string head = "bench/h/" + stream;
    const std::string event = "bench/e/" + stream;
    auto* compare = call->request.add_compare();
    compare->set_key(head);
    compare->set_target(etcdserverpb::Compare::CREATE);
    compare->set_result(etcdserverpb::Compare::EQUAL);
    compare->set_create_revision(0);
    auto* put = call->request.add_success()->mutable_request_put();
    put->set_key(event);
    put->set_value(payload);
    put = call->request.add_success()->mutable_request_put();
    put->set_key(head);
    put->set_value(std::string(21, 'h'));
    call->request.add_failure()->mutable_request_range()->set_key(head);
    call->request.add_failure()->mutable_request_range()->set_key(event);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    (*client)->kv().async()->Txn(&call->context, &call->request, &call->response, [&, call](grpc::Status status) {
      if (status.ok() && call->response.succeeded()) {
        ++done;
      } else {
        ++failed;
      }
      send();
    });
  };
  const auto start = Clock::now();
  in_flight = args.concurrency;
  for (int i = 0; i < args.concurrency; ++i) send();
  std::unique_lock lock(mutex);
  idle.wait(lock, [&] { return in_flight.load() == 0; });
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("{\"workload\":\"etcd-txns\",\"concurrency\":%d,\"txns\":%llu,\"failed\":%llu,\"per_second\":%.0f}\n",
              args.concurrency, static_cast<unsigned long long>(done.load()),
              static_cast<unsigned long long>(failed.load()), done.load() / seconds);
  return 0;
}

// Runs `body(worker, http)` on `concurrency` threads until the time is up;
// reports count/s and latency percentiles (ms) of the calls that returned `ok`.
int Drive(const Args& args, const char* workload, const std::function<bool(int, uint64_t, Http&)>& call) {
  const auto deadline = Clock::now() + std::chrono::seconds(args.seconds);
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<uint64_t> failed{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < args.concurrency; ++w) {
    threads.emplace_back([&, w] {
      Http http;
      std::vector<double> mine;
      for (uint64_t i = 0; Clock::now() < deadline; ++i) {
        const auto before = Clock::now();
        if (call(w, i, http)) {
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("{\"workload\":\"%s\",\"concurrency\":%d,\"ok\":%zu,\"failed\":%llu,\"per_second\":%.0f,"
              "\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
              workload, args.concurrency, latencies.size(), static_cast<unsigned long long>(failed.load()),
              latencies.size() / seconds, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
  return 0;
}

int Creates(const Args& args) {
  const std::string body = Connection("devices/#");
  const long run = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  return Drive(args, "creates", [&](int worker, uint64_t i, Http& http) {
    const int port = args.ports[(worker + i) % args.ports.size()];
    const std::string id = "/bench-" + std::to_string(run) + "-" + std::to_string(worker) + "-" + std::to_string(i);
    return http.Call("PUT", port, id, body) == 201;
  });
}

int Reads(const Args& args) {
  Http setup;
  setup.Call("PUT", args.ports[0], "/bench-read", Connection("devices/#"));
  return Drive(args, "reads", [&](int worker, uint64_t i, Http& http) {
    return http.Call("GET", args.ports[(worker + i) % args.ports.size()], "/bench-read", "") == 200;
  });
}

int WatchDelay(const Args& args) {
  if (args.ports.size() != 2) return 2;
  Http http;
  std::string body;
  http.Call("PUT", args.ports[0], "/bench-watch", Connection("w0/#"));
  std::vector<double> delays;
  for (int i = 1; i <= args.count; ++i) {
    if (http.Call("PUT", args.ports[0], "/bench-watch", Connection("w" + std::to_string(i) + "/#")) != 204) continue;
    const auto written = Clock::now();
    const std::string want = "\"_revision\":" + std::to_string(i + 1);
    Http reader;
    while (Clock::now() - written < std::chrono::seconds(5)) {
      reader.Call("GET", args.ports[1], "/bench-watch?fields=_revision", "", &body);
      if (body.find(want) != std::string::npos) {
        delays.push_back(std::chrono::duration<double, std::milli>(Clock::now() - written).count());
        break;
      }
    }
  }
  std::printf("{\"workload\":\"watch-delay\",\"writes\":%zu,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
              delays.size(), Percentile(delays, 0.5), Percentile(delays, 0.99), Percentile(delays, 1.0));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc < 2) {
    std::fprintf(stderr, "usage: connectivity-cluster-bench etcd-txns|creates|reads|watch-delay [options]\n");
    return 2;
  }
  args.command = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--endpoints") args.endpoints = value;
    else if (name == "--seconds") args.seconds = std::atoi(value.c_str());
    else if (name == "--concurrency") args.concurrency = std::atoi(value.c_str());
    else if (name == "--count") args.count = std::atoi(value.c_str());
    else if (name == "--ports") {
      size_t at = 0;
      while (at <= value.size()) {
        const size_t comma = value.find(',', at);
        args.ports.push_back(std::atoi(value.substr(at, comma - at).c_str()));
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "unknown option %s\n", name.c_str());
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (args.command == "etcd-txns") return EtcdTxns(args);
  if (args.command == "creates") return Creates(args);
  if (args.command == "reads") return Reads(args);
  if (args.command == "watch-delay") return WatchDelay(args);
  std::fprintf(stderr, "unknown workload %s\n", args.command.c_str());
  return 2;
}
