// In-process peers for the connect tests, all on 127.0.0.1:
//   SilentPeer      accepts TCP connections and never says a word (every protocol's timeout);
//   ClosedPort      a port with nothing listening (a bound, non-listening socket holds it, so no
//                   one else takes it: connects get RST);
//   HttpTestServer  a tiny HTTP/1.1 server (optionally TLS) that wants Basic auth test:test and
//                   can be stopped and restarted on the same port.
#ifndef CONNECTIVITY_TESTS_CONNECT_TEST_SERVERS_H_
#define CONNECTIVITY_TESTS_CONNECT_TEST_SERVERS_H_

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace connectivity::connect::testing {

class SilentPeer {
 public:
  SilentPeer();
  ~SilentPeer();
  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::vector<int> connections_;
  std::thread thread_;
};

class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  int port() const { return port_; }

 private:
  int socket_ = -1;
  int port_ = 0;
};

class HttpTestServer {
 public:
  // `tls`: serve HTTPS with the certificate of scripts/brokers (.brokers/tls).
  explicit HttpTestServer(bool tls = false);
  ~HttpTestServer();
  int port() const { return port_; }
  int requests() const { return requests_.load(); }
  void Stop();   // closes the listener: connects are refused
  bool Start();  // listens again on the same port

 private:
  void Serve();
  void Answer(int fd);

  const bool tls_;
  void* ssl_context_ = nullptr;  // SSL_CTX*, kept out of the header
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::thread thread_;
};

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_TEST_SERVERS_H_
