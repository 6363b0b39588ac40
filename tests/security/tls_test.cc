// TLS on the HTTP endpoint (issue 13 item 1): the real server with
// --tls-cert/--tls-key (and --tls-client-ca), a throw-away CA that the test
// makes with the openssl command, TLS 1.2+ only, silent TLS clients that
// stall nobody, and clear start-up errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"

namespace connectivity::testing {
namespace {

// A CA, a server certificate for 127.0.0.1, a client certificate and an
// unrelated key, made by `openssl` in `dir` (P-256 keys: quick to make).
bool MakeTestPki(const std::string& dir) {
  const std::string script =
      "set -e; cd '" + dir +
      "'; K='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';"
      " openssl req -x509 $K -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca;"
      " openssl req $K -keyout server.key -out server.csr -subj /CN=127.0.0.1;"
      " printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext;"
      " openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2"
      " -extfile san.ext;"
      " openssl req $K -keyout client.key -out client.csr -subj /CN=test-client;"
      " openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2;"
      " openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key";
  return std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
}

int ConnectTcp(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A TLS handshake limited to [min_version, max_version], with every
// protocol and cipher allowed on the client side (security level 0), so
// that a refusal is the server's. "" if it succeeded, else OpenSSL's error.
std::string Handshake(uint16_t port, int min_version, int max_version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, min_version);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL* ssl = SSL_new(ctx);
  const int fd = ConnectTcp(port);
  SSL_set_fd(ssl, fd);
  std::string error;
  if (SSL_connect(ssl) != 1) {
    char buffer[256];
    ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
    error = buffer[0] != '\0' ? buffer : "handshake failed";
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  ERR_clear_error();
  return error;
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeTestPki(dir_.path())) << "openssl could not make the test CA"; }

  std::string File(const std::string& name) const { return dir_.path() + "/" + name; }

  // Starts the server with `args`; waits for /health over TLS.
  std::unique_ptr<ServerProcess> StartTls(std::vector<std::string> args, bool client_cert = false) {
    ServerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.args = std::move(args);
    options.wait_until_ready = false;
    auto server = std::make_unique<ServerProcess>(options);
    if (server->port() == 0) return server;
    for (int i = 0; i < 500; ++i) {
      if (Health(server->port(), client_cert).status == 200) return server;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return server;
  }

  HttpResponse Health(uint16_t port, bool client_cert = false, long timeout_ms = 5000) const {
    HttpRequestSpec spec;
    spec.path = "/health";
    spec.ca_file = File("ca.pem");
    spec.timeout_ms = timeout_ms;
    if (client_cert) {
      spec.client_cert_file = File("client.pem");
      spec.client_key_file = File("client.key");
    }
    return Fetch(port, spec);
  }

  std::vector<std::string> TlsArgs() const { return {"--tls-cert", File("server.pem"), "--tls-key", File("server.key")}; }

  TempDir dir_;
};

TEST_F(TlsTest, ServesTheApiOverTls12OrNewerOnly) {
  std::unique_ptr<ServerProcess> server = StartTls(TlsArgs());
  ASSERT_EQ(Health(server->port()).status, 200) << server->log();
  HttpRequestSpec retrieve;
  retrieve.path = "/api/2/connections";
  retrieve.ca_file = File("ca.pem");
  EXPECT_EQ(Fetch(server->port(), retrieve).status, 200);
  // Plain HTTP on the TLS port gets no answer from the API.
  HttpRequestSpec plain;
  plain.path = "/health";
  EXPECT_NE(Fetch(server->port(), plain).status, 200);
  EXPECT_EQ(Handshake(server->port(), TLS1_2_VERSION, TLS1_2_VERSION), "");
  EXPECT_EQ(Handshake(server->port(), TLS1_3_VERSION, TLS1_3_VERSION), "");
  const std::string tls11 = Handshake(server->port(), TLS1_1_VERSION, TLS1_1_VERSION);
  EXPECT_NE(tls11, "");
  EXPECT_NE(tls11.find("protocol version"), std::string::npos) << tls11;  // the server's alert
  EXPECT_NE(Handshake(server->port(), TLS1_VERSION, TLS1_VERSION), "");
  EXPECT_EQ(server->Stop(SIGTERM), 0);
  // haproxy went with the server.
  EXPECT_EQ(ConnectTcp(server->port()), -1);
}

TEST_F(TlsTest, FiftySilentTlsClientsStallNobody) {
  std::unique_ptr<ServerProcess> server = StartTls(TlsArgs());
  ASSERT_EQ(Health(server->port()).status, 200) << server->log();
  std::vector<int> silent;
  for (int i = 0; i < 50; ++i) {
    const int fd = ConnectTcp(server->port());
    ASSERT_GE(fd, 0);
    silent.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted, all silent
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const HttpResponse health = Health(server->port(), false, 2000);
    const auto elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(health.status, 200) << health.error;
    EXPECT_LT(elapsed_ms, 100) << "a new TLS client waited behind the silent ones";
  }
  for (int fd : silent) ::close(fd);
}

TEST_F(TlsTest, AClientCaRequiresClientCertificates) {
  std::vector<std::string> args = TlsArgs();
  args.insert(args.end(), {"--tls-client-ca", File("ca.pem")});
  std::unique_ptr<ServerProcess> server = StartTls(args, /*client_cert=*/true);
  ASSERT_EQ(Health(server->port(), true).status, 200) << server->log();
  const HttpResponse anonymous = Health(server->port(), false);
  EXPECT_EQ(anonymous.status, 0) << anonymous.body;  // the handshake fails
}

TEST_F(TlsTest, StartUpErrorsNameTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"--tls-cert", File("server.pem"), "--tls-key", File("other.key")},
       "--tls-key " + File("other.key") + " is not the key of the certificate in --tls-cert"},
      {{"--tls-cert", File("missing.pem"), "--tls-key", File("server.key")}, "--tls-cert " + File("missing.pem")},
      {{"--tls-cert", File("server.pem"), "--tls-key", File("missing.key")}, "--tls-key " + File("missing.key")},
      {{"--tls-cert", File("server.pem")}, "--tls-cert (CONNECTIVITY_TLS_CERT) and --tls-key"},
      {{"--tls-cert", File("server.pem"), "--tls-key", File("server.key"), "--tls-client-ca", File("nope.pem")},
       "--tls-client-ca " + File("nope.pem")},
  };
  for (const Case& c : cases) {
    ServerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.args = c.args;
    options.wait_until_ready = false;
    options.ready_timeout_ms = 3000;
    ServerProcess server(options);
    EXPECT_EQ(server.WaitExit(10000), 2) << c.expected;
    EXPECT_NE(server.log().find(c.expected), std::string::npos) << server.log();
  }
}

}  // namespace
}  // namespace connectivity::testing
