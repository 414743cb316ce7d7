#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "wait_until.h"

namespace test_support {

pid_t StartAndWaitForLine(std::vector<std::string> argv, const std::string& stderr_path,
                          const std::function<bool(std::string_view line)>& on_line,
                          std::chrono::milliseconds timeout, std::string* error) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(out[0]);
    close(out[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(out[1]);

  std::string got;
  bool ready = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, std::max<int>(static_cast<int>(left.count()), 1)) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;  // the child exited
    got.append(buf, static_cast<size_t>(n));
    size_t nl;
    while (!ready && (nl = got.find('\n')) != std::string::npos) {
      ready = on_line(std::string_view(got).substr(0, nl));
      got.erase(0, nl + 1);
    }
  }
  close(out[0]);
  if (!ready) {
    *error = argv[0] + " did not become ready";
    StopChild(pid);
    return -1;
  }
  return pid;
}

int StopChild(pid_t pid) {
  if (pid <= 0) return -1;
  kill(pid, SIGTERM);
  int status = 0;
  if (WaitUntil([&] { return waitpid(pid, &status, WNOHANG) == pid; })) return status;
  KillChild(pid);
  return -1;
}

void KillChild(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

}  // namespace test_support
