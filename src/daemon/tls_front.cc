#include "src/daemon/tls_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "src/base/log.h"

namespace connectivity::daemon {
namespace {

constexpr std::string_view kComponent = "tls";
constexpr int kReadyTimeoutMs = 10'000;

// haproxy's own answers, in Ditto's error JSON.
struct FrontError {
  int status;
  const char* error;
  const char* message;
};
constexpr FrontError kFrontErrors[] = {
    {400, "request.invalid", "The request could not be parsed."},
    {408, "gateway:request.timeout", "The request was not received in time."},
    {500, "gateway:internal.error", "There was an internal error."},
    {502, "gateway:service.unavailable", "The service is not reachable."},
    {503, "gateway:service.unavailable", "The service is temporarily unavailable, please try again later."},
    {504, "gateway:service.timeout", "The service did not answer in time."},
};

std::string OpenSslError() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown error" : text;
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A port nothing listens on now (haproxy binds it a moment later).
Result<uint16_t> FreePort(const std::string& host) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t size = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::IOError(std::string("no free port on ") + host + ": " + std::strerror(error));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool Accepts(const std::string& host, uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  const std::string target = host == "0.0.0.0" ? "127.0.0.1" : host;
  if (::inet_pton(AF_INET, target.c_str(), &address.sin_addr) != 1) address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

std::string HaproxyConfig(const TlsFrontOptions& options, uint16_t port, const std::string& pem_path,
                          const std::string& ca_path) {
  const std::string timeout = std::to_string(options.request_timeout_s) + "s";
  std::string config;
  // No maxconn: haproxy derives it from the open-files limit (a fixed one
  // above that limit stops it).
  config += "global\n";
  config += "defaults\n  mode http\n  timeout connect 5s\n";
  // `timeout client` also bounds a TLS handshake: a silent client holds one
  // socket of haproxy's event loop until then, and stalls nobody.
  config += "  timeout client " + timeout + "\n  timeout server " + timeout + "\n";
  config += "  timeout http-request 10s\n  timeout http-keep-alive 60s\n";
  for (const FrontError& error : kFrontErrors) {
    config += "  http-error status " + std::to_string(error.status) +
              " content-type application/json string \"{\\\"status\\\":" + std::to_string(error.status) +
              ",\\\"error\\\":\\\"" + error.error + "\\\",\\\"message\\\":\\\"" + error.message + "\\\"}\"\n";
  }
  config += "frontend tls\n  bind " + options.listen_host + ":" + std::to_string(port) + " ssl crt " + pem_path +
            " ssl-min-ver TLSv1.2";
  if (!ca_path.empty()) config += " ca-file " + ca_path + " verify required";
  config += "\n  http-request del-header x-forwarded-for\n  option forwardfor\n  default_backend server\n";
  config += "backend server\n  server connectivityd 127.0.0.1:" + std::to_string(options.backend_port) + "\n";
  return config;
}

Status WritePrivateFile(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      return Status::IOError("cannot write " + path + ": " + std::strerror(error));
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Status CheckTlsFiles(const TlsFrontOptions& options) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Status::IOError("TLS: " + OpenSslError());
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), options.cert_file.c_str()) != 1) {
    return Status::InvalidArgument("--tls-cert " + options.cert_file +
                                   ": not a readable PEM certificate chain (" + OpenSslError() + ")");
  }
  EVP_PKEY* key = nullptr;
  if (FILE* file = std::fopen(options.key_file.c_str(), "r")) {
    key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
    std::fclose(file);
  }
  if (key == nullptr) {
    return Status::InvalidArgument("--tls-key " + options.key_file + ": not a readable PEM private key (" +
                                   OpenSslError() + ")");
  }
  const bool used = SSL_CTX_use_PrivateKey(ctx.get(), key) == 1;
  EVP_PKEY_free(key);
  if (!used || SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key " + options.key_file + " is not the key of the certificate in --tls-cert " +
                                   options.cert_file);
  }
  if (!options.client_ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx.get(), options.client_ca_file.c_str(), nullptr) != 1) {
    return Status::InvalidArgument("--tls-client-ca " + options.client_ca_file +
                                   ": not a readable PEM CA certificate (" + OpenSslError() + ")");
  }
  return Status::Ok();
}

TlsFront::~TlsFront() { Stop(); }

Status TlsFront::Start(const TlsFrontOptions& options) {
  CONNECTIVITY_RETURN_IF_ERROR(CheckTlsFiles(options));
  const std::optional<std::string> cert = ReadFile(options.cert_file);
  const std::optional<std::string> key = ReadFile(options.key_file);
  if (!cert || !key) return Status::InvalidArgument("--tls-cert / --tls-key: cannot read the files");
  uint16_t port = options.listen_port;
  if (port == 0) {
    Result<uint16_t> free_port = FreePort(options.listen_host);
    if (!free_port.ok()) return free_port.status();
    port = *free_port;
  }
  char dir_template[] = "/tmp/connectivityd-tls-XXXXXX";  // mkdtemp: mode 0700
  if (::mkdtemp(dir_template) == nullptr) return Status::IOError(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = dir_template;
  const std::string pem_path = dir_ + "/server.pem";
  const std::string config_path = dir_ + "/haproxy.cfg";
  std::string pem = *cert;
  if (!pem.empty() && pem.back() != '\n') pem.push_back('\n');
  pem += *key;
  CONNECTIVITY_RETURN_IF_ERROR(WritePrivateFile(pem_path, pem));
  const std::string ca_path = options.client_ca_file.empty()
                                  ? std::string()
                                  : std::filesystem::absolute(options.client_ca_file).string();
  CONNECTIVITY_RETURN_IF_ERROR(
      WritePrivateFile(config_path, HaproxyConfig(options, port, pem_path, ca_path)));

  const std::string binary = options.haproxy;
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) return Status::IOError(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    // haproxy ends with this process, however it ends (kill -9 included).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execlp(binary.c_str(), binary.c_str(), "-db", "-f", config_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyTimeoutMs);
  while (!Accepts(options.listen_host, port)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      Stop();
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return Status::IOError(code == 127 ? "--tls-haproxy: cannot run '" + binary + "' (apt-get install haproxy)"
                                         : "haproxy exited with status " + std::to_string(code) +
                                               " (its messages are above)");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      return Status::IOError("haproxy did not listen on " + options.listen_host + ":" + std::to_string(port) +
                             " within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  port_ = port;
  // haproxy has read the key: no copy of it stays on disk.
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
  log::Info(kComponent, "haproxy (pid " + std::to_string(pid_) + ") terminates TLS 1.2+ on " + options.listen_host +
                            ":" + std::to_string(port) + (ca_path.empty() ? "" : ", client certificates required") +
                            ", in front of 127.0.0.1:" + std::to_string(options.backend_port));
  return Status::Ok();
}

void TlsFront::Stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
}

}  // namespace connectivity::daemon
