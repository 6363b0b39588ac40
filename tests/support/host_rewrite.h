// RewriteHostsToLoopback: points a connection at 127.0.0.1 so that tests never leave the machine
// (SPEC §7).
//
// Rewritten: the host of `uri`, of `credentials.tokenEndpoint` and of `sshTunnel.uri` (scheme,
// user-info, port, path and query are kept), and every host of the `host:port` list in
// `specificConfig.bootstrapServers` (separated by ',' or ';', ports kept). Everything else is
// unchanged; the result is compact JSON with the members in their original order. A URI without
// "://" (or a blank one) is left alone. Input that is not a JSON object is returned unchanged.
#ifndef CONNECTIVITY_TESTS_SUPPORT_HOST_REWRITE_H_
#define CONNECTIVITY_TESTS_SUPPORT_HOST_REWRITE_H_

#include <string>
#include <string_view>

namespace connectivity::test_support {

std::string RewriteHostsToLoopback(std::string_view connection_json);

// The pieces, exposed for tests: one URI, and one bootstrap-server list.
std::string RewriteUriHostToLoopback(std::string_view uri);
std::string RewriteServerListToLoopback(std::string_view servers);

}  // namespace connectivity::test_support

#endif  // CONNECTIVITY_TESTS_SUPPORT_HOST_REWRITE_H_
