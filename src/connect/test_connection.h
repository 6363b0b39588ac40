// TestConnection (REF §8): a real connect + protocol handshake with the connection's credentials
// and a clean close, bounded by the settings' timeout.
#ifndef CONNECTIVITY_CONNECT_TEST_CONNECTION_H_
#define CONNECTIVITY_CONNECT_TEST_CONNECTION_H_

#include "src/connect/outcome.h"
#include "src/model/connection.h"

namespace connectivity::connect {

// Blocking and thread-safe (the service runs it on a worker thread; calls share nothing). The
// verdict comes within settings.timeout_us (a silent peer is a kTimeout); the clean close after
// a success adds a few milliseconds (at most 1 s with an unresponsive broker). duration_us covers
// connect and handshake. Configuration that cannot be connected (invalid URI, unknown scheme,
// malformed bootstrap servers) is a kOther failure without any network traffic. A `hono`
// connection connects as the Kafka connection settings.hono resolves it into (target.h).
ConnectOutcome TestConnection(const model::Connection& connection, const ConnectSettings& settings);

}  // namespace connectivity::connect

#endif  // CONNECTIVITY_CONNECT_TEST_CONNECTION_H_
