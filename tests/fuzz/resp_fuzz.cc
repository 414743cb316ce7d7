// libFuzzer harness for resp::RequestParser and resp::ReplyWriter.
//
// Feeds the bytes to the parser twice, once whole and once in random-sized chunks, playing the
// caller's part of the contract (drop what consumed() reports), and checks:
//  - consumed() never exceeds the input, and a command always consumes something;
//  - arguments in the input lie within the bytes the command consumed;
//  - the commands and the error do not depend on how the bytes were split;
//  - every parsed command, re-encoded as a multibulk request, parses back to itself;
//  - reply writer output is well formed for the same arguments.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "resp/reply_writer.h"
#include "resp/request_parser.h"

namespace {

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  bool failed = false;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

void CheckAt(bool ok, const char* what, int line) {
  if (ok) return;
  std::fprintf(stderr, "resp_fuzz.cc:%d: check failed: %s\n", line, what);
  std::abort();
}
#define Check(cond) CheckAt((cond), #cond, __LINE__)

Outcome Run(std::string_view data, const std::vector<size_t>& chunk_sizes,
            resp::ParserLimits limits) {
  resp::RequestParser parser(limits);
  std::vector<std::string_view> args;
  std::string buffer;
  Outcome out;
  size_t offset = 0;
  size_t chunk = 0;
  while (offset < data.size()) {
    size_t n = chunk < chunk_sizes.size() ? chunk_sizes[chunk++] : data.size() - offset;
    n = std::min(std::max<size_t>(n, 1), data.size() - offset);
    buffer.append(data.substr(offset, n));
    offset += n;
    while (!buffer.empty()) {
      const resp::ParseStatus st = parser.Parse(buffer, &args);
      Check(parser.consumed() <= buffer.size());
      if (st == resp::ParseStatus::kError) {
        Check(!parser.error().empty());
        Check(parser.error().find_first_of("\r\n") == std::string::npos);
        out.failed = true;
        out.error = parser.error();
        return out;
      }
      if (st == resp::ParseStatus::kCommand) {
        Check(parser.consumed() > 0);
        Check(!args.empty());
        // Arguments are views into the bytes the command consumed, or (quoted inline
        // arguments) into parser storage outside the buffer.
        const char* begin = buffer.data();
        const char* end = begin + buffer.size();
        std::vector<std::string> copy;
        for (std::string_view a : args) {
          const bool inside = a.data() >= begin && a.data() < end;
          if (inside) Check(a.data() + a.size() <= begin + parser.consumed());
          copy.emplace_back(a);
        }
        out.commands.push_back(std::move(copy));
      } else {
        Check(args.empty());
      }
      buffer.erase(0, parser.consumed());
      if (st == resp::ParseStatus::kNeedMore) break;
    }
  }
  return out;
}

void CheckRoundTrip(const std::vector<std::string>& command) {
  std::string encoded;
  resp::ReplyWriter w(&encoded, 2);
  w.ArrayHeader(command.size());
  for (const std::string& a : command) w.Bulk(a);
  resp::RequestParser parser;
  std::vector<std::string_view> args;
  Check(parser.Parse(encoded, &args) == resp::ParseStatus::kCommand);
  Check(parser.consumed() == encoded.size());
  Check(args.size() == command.size());
  for (size_t i = 0; i < args.size(); ++i) Check(args[i] == command[i]);
}

void CheckWriter(const std::vector<std::string>& command, double d) {
  for (int protocol : {2, 3}) {
    std::string out;
    resp::ReplyWriter w(&out, protocol);
    w.Simple(command[0]);
    Check(out.size() == command[0].size() + 3);
    Check(out.find_first_of("\r\n") == out.size() - 2);
    out.clear();
    w.Error(command[0]);
    Check(out.find_first_of("\r\n") == out.size() - 2);
    out.clear();
    w.Double(d);
    Check(out.size() > 3 && out.substr(out.size() - 2) == "\r\n");
    w.Verbatim(command[0], command.back());
    w.BigNumber("123");
    w.Boolean(d > 0);
    w.MapHeader(command.size());
    w.SetHeader(command.size());
    w.PushHeader(command.size());
    w.Null();
    w.NullArray();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  resp::ParserLimits limits;
  limits.authenticated = fdp.ConsumeBool();
  limits.max_bulk_length =
      fdp.ConsumeBool() ? resp::kDefaultMaxBulkLength : fdp.ConsumeIntegralInRange<int64_t>(0, 64);
  const double d = fdp.ConsumeFloatingPoint<double>();
  std::vector<size_t> chunk_sizes(fdp.ConsumeIntegralInRange<size_t>(0, 16));
  for (size_t& n : chunk_sizes) n = fdp.ConsumeIntegralInRange<size_t>(1, 64);
  const std::string input = fdp.ConsumeRemainingBytesAsString();

  const Outcome whole = Run(input, {}, limits);
  const Outcome split = Run(input, chunk_sizes, limits);
  Check(whole == split);
  for (const auto& command : whole.commands) {
    CheckRoundTrip(command);
    CheckWriter(command, d);
  }
  return 0;
}
