// In-process peers for the connect tests, all on 127.0.0.1:
//   SilentPeer      accepts TCP connections and never says a word (every protocol's timeout);
//   ClosedPort      a port with nothing listening (a bound, non-listening socket holds it, so no
//                   one else takes it: connects get RST);
//   HttpTestServer  a tiny HTTP/1.1 server (optionally TLS) that wants Basic auth test:test, has
//                   an OAuth token endpoint at POST /token, and can be stopped and restarted on
//                   the same port;
//   MqttRefusingBroker  an MQTT 3.1.1 / 5 peer that accepts every CONNECT and refuses every
//                   subscription to a filter starting with "denied" with a chosen SUBACK code:
//                   the refusal Mosquitto 2.0.11 cannot make (it grants ACL-denied filters).
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
  // The token endpoint answers a form with this client secret with kValidJwt; the secret
  // "not-a-jwt" with an access_token that is not a JWT; anything else with 401.
  static constexpr const char* kGoodClientSecret = "good-Secret";
  static constexpr const char* kValidJwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln";

  // `tls`: serve HTTPS with the certificate of scripts/brokers (.brokers/tls).
  explicit HttpTestServer(bool tls = false);
  ~HttpTestServer();
  int port() const { return port_; }
  int requests() const { return requests_.load(); }   // HTTP requests answered
  int accepted() const { return accepted_.load(); }   // TCP connections accepted
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
  std::atomic<int> accepted_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::thread thread_;
};

class MqttRefusingBroker {
 public:
  // `refusal`: the SUBACK code for "denied..." filters, e.g. 0x80 (MQTT 3.1.1 FAILURE) or 0x87
  // (MQTT 5 NOT_AUTHORIZED). Other filters are granted the requested QoS.
  explicit MqttRefusingBroker(int refusal);
  ~MqttRefusingBroker();
  int port() const { return port_; }
  int subscribes() const { return subscribes_.load(); }    // SUBSCRIBE packets seen
  int unsubscribes() const { return unsubscribes_.load(); }  // UNSUBSCRIBE packets seen

 private:
  void Serve(int fd);

  const int refusal_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> subscribes_{0};
  std::atomic<int> unsubscribes_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace connectivity::connect::testing

#endif  // CONNECTIVITY_TESTS_CONNECT_TEST_SERVERS_H_
