#include "tests/connect/broker_admin.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <librdkafka/rdkafka.h>
#include <sys/time.h>

#include <cstdio>
#include <memory>

#include "tests/connect/broker_env.h"

namespace connectivity::connect::testing {
namespace {

// One AMQP 0.9.1 connection with channel 1 open, closed when destroyed.
class RabbitSession {
 public:
  RabbitSession() : connection_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(connection_);
    timeval bound{3, 0};
    amqp_set_rpc_timeout(connection_, &bound);
    if (socket == nullptr || amqp_socket_open_noblock(socket, "127.0.0.1", RabbitPort(), &bound) != AMQP_STATUS_OK) {
      return;
    }
    if (amqp_login(connection_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type !=
        AMQP_RESPONSE_NORMAL) {
      return;
    }
    amqp_channel_open(connection_, 1);
    ok_ = amqp_get_rpc_reply(connection_).reply_type == AMQP_RESPONSE_NORMAL;
  }
  ~RabbitSession() {
    if (ok_) {
      amqp_channel_close(connection_, 1, AMQP_REPLY_SUCCESS);
      amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(connection_);
  }
  bool ok() const { return ok_; }
  amqp_connection_state_t get() const { return connection_; }
  bool LastRpcOk() { return (ok_ = amqp_get_rpc_reply(connection_).reply_type == AMQP_RESPONSE_NORMAL); }

 private:
  amqp_connection_state_t connection_;
  bool ok_ = false;
};

amqp_bytes_t Bytes(const std::string& text) { return amqp_bytes_t{text.size(), const_cast<char*>(text.data())}; }

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};

// The topic's metadata error (NO_ERROR: it exists), or a transport error.
rd_kafka_resp_err_t KafkaTopicError(const std::string& topic, bool auto_create) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", KafkaBootstrap().c_str(), error, sizeof(error));
  rd_kafka_conf_set(conf, "allow.auto.create.topics", auto_create ? "true" : "false", error, sizeof(error));
  rd_kafka_conf_set(conf, "log_level", "0", error, sizeof(error));
  std::unique_ptr<rd_kafka_t, KafkaDeleter> handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (!handle) return RD_KAFKA_RESP_ERR__FAIL;
  rd_kafka_topic_t* t = rd_kafka_topic_new(handle.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle.get(), 0, t, &metadata, 3000);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    err = metadata->topic_cnt == 1 ? metadata->topics[0].err : RD_KAFKA_RESP_ERR__FAIL;
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_topic_destroy(t);
  return err;
}

}  // namespace

bool RabbitDeclareQueue(const std::string& queue) {
  RabbitSession session;
  if (!session.ok()) return false;
  amqp_queue_declare(session.get(), 1, Bytes(queue), 0, 0, 0, 0, amqp_empty_table);
  return session.LastRpcOk();
}

bool RabbitDeleteQueue(const std::string& queue) {
  RabbitSession session;
  if (!session.ok()) return false;
  amqp_queue_delete(session.get(), 1, Bytes(queue), 0, 0);
  return session.LastRpcOk();
}

bool RabbitPublish(const std::string& queue, const std::string& body) {
  RabbitSession session;
  if (!session.ok()) return false;
  return amqp_basic_publish(session.get(), 1, amqp_empty_bytes, Bytes(queue), 1, 0, nullptr, Bytes(body)) ==
         AMQP_STATUS_OK;
}

int RabbitQueueMessages(const std::string& queue) {
  RabbitSession session;
  if (!session.ok()) return -1;
  const amqp_queue_declare_ok_t* ok = amqp_queue_declare(session.get(), 1, Bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  if (!session.LastRpcOk() || ok == nullptr) return -1;
  return static_cast<int>(ok->message_count);
}

bool KafkaCreateTopic(const std::string& topic) {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 5; ++attempt) {  // the mock creates it on the first request
    if ((err = KafkaTopicError(topic, true)) == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  }
  std::fprintf(stderr, "KafkaCreateTopic(%s): %s\n", topic.c_str(), rd_kafka_err2name(err));
  return false;
}

bool KafkaTopicExists(const std::string& topic) {
  return KafkaTopicError(topic, false) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

}  // namespace connectivity::connect::testing
