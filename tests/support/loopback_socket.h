// Loopback TCP sockets for tests: a blocking client connection to a server the test started, and
// ports where nothing, or nothing useful, listens (connection refused, a connect that never
// completes).
#pragma once

#include <netinet/in.h>

namespace test_support {

// A TCP socket bound to 127.0.0.1 on a port the kernel picks; *address is set to the address it
// is bound to. Returns the descriptor, which the caller closes, or -1 if socket() or bind()
// failed.
int BindLoopback(sockaddr_in* address);

// A loopback port with nothing listening on it (bound, then closed), or 0 if none could be
// bound. Another process may take it before the caller uses it; a test of a refused connection
// accepts that small chance.
int ClosedLoopbackPort();

// A blocking TCP connection (close-on-exec) to 127.0.0.1:port: the descriptor, which the caller
// closes, or -1 if it could not connect.
int ConnectLoopback(int port);

}  // namespace test_support
