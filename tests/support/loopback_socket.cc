#include "loopback_socket.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

namespace test_support {

int BindLoopback(sockaddr_in* address) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  *address = sockaddr_in{};
  address->sin_family = AF_INET;
  address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(*address);
  if (bind(fd, reinterpret_cast<sockaddr*>(address), sizeof(*address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(address), &len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ClosedLoopbackPort() {
  sockaddr_in address;
  int fd = BindLoopback(&address);
  if (fd < 0) return 0;
  close(fd);
  return ntohs(address.sin_port);
}

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace test_support
