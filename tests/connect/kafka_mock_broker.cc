// kafka-mock-broker: librdkafka's in-process mock cluster (one broker speaking the real Kafka
// protocol on 127.0.0.1) as a standalone process for scripts/brokers, since Debian ships no Kafka.
//
// Prints the bootstrap address ("127.0.0.1:<port>") on stdout, then serves until SIGTERM/SIGINT.
// SIGUSR1 takes the broker down (drops its connections and refuses new ones), SIGUSR2 brings it
// back up: the tests' stand-in for stopping and starting a Kafka broker (the port must not change,
// and a new process would get a new random port). The mock has no SASL and no TLS.
//
// Missing topics: Debian's librdkafka 2.0.2 mock answers Metadata up to version 2, which has no
// AllowAutoTopicCreation field, so it creates every topic a metadata request names (measured:
// asked with allow.auto.create.topics=false, a new topic exists afterwards). Each
// `--missing-topic=NAME` argument makes the mock answer UNKNOWN_TOPIC_OR_PART for NAME instead,
// which is what a Kafka broker answers for a topic it does not have when creation is not allowed.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <cstdio>
#include <initializer_list>
#include <string_view>

namespace {

int Serve(rd_kafka_mock_cluster_t* cluster, const sigset_t& signals) {
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) return 1;
    if (signal_number == SIGUSR1) {
      rd_kafka_mock_broker_set_down(cluster, -1);
      std::fprintf(stderr, "kafka-mock-broker: broker down\n");
    } else if (signal_number == SIGUSR2) {
      rd_kafka_mock_broker_set_up(cluster, -1);
      std::fprintf(stderr, "kafka-mock-broker: broker up\n");
    } else {
      return 0;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Block the signals before librdkafka starts its threads, so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error));
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));
  if (handle == nullptr) {
    std::fprintf(stderr, "kafka-mock-broker: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, 1);
  if (cluster == nullptr) {
    std::fprintf(stderr, "kafka-mock-broker: could not create the mock cluster\n");
    rd_kafka_destroy(handle);
    return 1;
  }
  constexpr std::string_view kMissing = "--missing-topic=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, kMissing.size()) == kMissing) {
      rd_kafka_mock_topic_set_error(cluster, argv[i] + kMissing.size(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    }
  }
  const int rc = Serve(cluster, signals);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return rc;
}
