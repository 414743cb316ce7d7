#include "resp/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace resp {
namespace {

using Args = std::vector<std::string>;
using namespace std::string_literals;

// What a connection sees after feeding some bytes: the commands run, and the error if any.
struct Outcome {
  std::vector<Args> commands;
  bool failed = false;
  std::string error;
  size_t buffered = 0;  // bytes left unconsumed at the end

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{commands:";
  for (const Args& c : o.commands) {
    os << " [";
    for (const std::string& a : c) os << '"' << a << "\" ";
    os << "]";
  }
  return os << " failed:" << o.failed << " error:\"" << o.error << "\" buffered:" << o.buffered
            << "}";
}

// Plays the caller's part of the contract: append each chunk, parse until more is needed,
// drop exactly what consumed() reports.
Outcome FeedChunks(const std::vector<std::string_view>& chunks, ParserLimits limits = {}) {
  RequestParser parser(limits);
  std::vector<std::string_view> args;
  std::string buffer;
  Outcome out;
  for (std::string_view chunk : chunks) {
    buffer.append(chunk);
    while (!buffer.empty()) {
      ParseStatus st = parser.Parse(buffer, &args);
      EXPECT_LE(parser.consumed(), buffer.size());
      if (st == ParseStatus::kError) {
        out.failed = true;
        out.error = parser.error();
        out.buffered = buffer.size();
        return out;
      }
      if (st == ParseStatus::kCommand) {
        EXPECT_GT(parser.consumed(), 0u);
        EXPECT_FALSE(args.empty());
        out.commands.emplace_back(args.begin(), args.end());
      }
      buffer.erase(0, parser.consumed());
      if (st == ParseStatus::kNeedMore) break;
    }
  }
  out.buffered = buffer.size();
  return out;
}

Outcome Feed(std::string_view data, ParserLimits limits = {}) { return FeedChunks({data}, limits); }

ParserLimits Unauthenticated() {
  ParserLimits limits;
  limits.authenticated = false;
  return limits;
}

Outcome Command(Args args) { return Outcome{{std::move(args)}}; }

Outcome Error(std::string text, size_t buffered) {
  Outcome o;
  o.failed = true;
  o.error = std::move(text);
  o.buffered = buffered;
  return o;
}

Outcome NeedMore(size_t buffered) {
  Outcome o;
  o.buffered = buffered;
  return o;
}

// The arguments of `input`, which must hold exactly one whole command. They view `input` or
// `parser`'s buffer, so both must outlive them.
std::vector<std::string_view> ParseWhole(RequestParser* parser, const std::string& input) {
  std::vector<std::string_view> args;
  EXPECT_EQ(parser->Parse(input, &args), ParseStatus::kCommand);
  EXPECT_EQ(parser->consumed(), input.size());
  return args;
}

// ---- multibulk ----

TEST(RequestParserMultibulk, ParsesOneCommandZeroCopy) {
  const std::string input = "*2\r\n$3\r\nGET\r\n$11\r\nexample.com\r\n";
  RequestParser parser;
  const std::vector<std::string_view> args = ParseWhole(&parser, input);
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], "GET");
  EXPECT_EQ(args[1], "example.com");
  EXPECT_EQ(args[1].data(), input.data() + 18);  // a view into the input, not a copy
}

TEST(RequestParserMultibulk, ReturnsPipelinedCommandsOneAtATime) {
  const std::string a = "*1\r\n$4\r\nPING\r\n";
  const std::string b = "*2\r\n$3\r\nGET\r\n$1\r\nx\r\n";
  const std::string c = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n";
  std::string input = a + b + c;
  RequestParser parser;
  std::vector<std::string_view> args;

  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kCommand);
  EXPECT_EQ(parser.consumed(), a.size());
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
  input.erase(0, parser.consumed());

  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kCommand);
  EXPECT_EQ(parser.consumed(), b.size());
  EXPECT_EQ(args, (std::vector<std::string_view>{"GET", "x"}));
  input.erase(0, parser.consumed());

  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kCommand);
  EXPECT_EQ(parser.consumed(), c.size());
  EXPECT_EQ(args, (std::vector<std::string_view>{"SET", "k", ""}));
  input.erase(0, parser.consumed());
  EXPECT_TRUE(input.empty());
}

TEST(RequestParserMultibulk, BulkMayHoldAnyBytes) {
  const std::string payload = "a\r\nb\0c*$\n"s;
  EXPECT_EQ(
      Feed("*2\r\n$3\r\nSET\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n"),
      Command({"SET", payload}));
}

TEST(RequestParserMultibulk, SkipsEmptyAndNegativeCounts) {
  EXPECT_EQ(Feed("*0\r\n"), NeedMore(0));
  EXPECT_EQ(Feed("*-5\r\n"), NeedMore(0));
  EXPECT_EQ(Feed("*-1\r\n*0\r\n*1\r\n$4\r\nPING\r\n"), Command({"PING"}));
}

TEST(RequestParserMultibulk, SkippedHeadersCountAsConsumedWhenMoreIsNeeded) {
  RequestParser parser;
  std::vector<std::string_view> args;
  std::string input = "*0\r\n*-5\r\n*1\r\n$3\r\nfo";
  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.consumed(), 9u);
  input.erase(0, parser.consumed());
  input += "o\r\n";
  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kCommand);
  EXPECT_EQ(parser.consumed(), input.size());
  EXPECT_EQ(args, (std::vector<std::string_view>{"foo"}));
}

TEST(RequestParserMultibulk, InvalidMultibulkLength) {
  const std::string kText = "Protocol error: invalid multibulk length";
  for (std::string header : {"*abc", "*", "*+1", "*01", "*-0", "*1 ", "* 1", "*1048577",
                             "*99999999999999999999", "*1a"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(Feed(header + "\r\n"), Error(kText, header.size() + 2));
  }
  // The limit itself is accepted.
  EXPECT_EQ(Feed("*1048576\r\n"), NeedMore(10));
}

TEST(RequestParserMultibulk, NeedsTheByteAfterCr) {
  EXPECT_EQ(Feed("*1\r"), NeedMore(3));
  // Redis skips that byte without checking it is LF; so do we.
  EXPECT_EQ(Feed("*1\rX$3\r\nfoo\r\n"), Command({"foo"}));
}

TEST(RequestParserMultibulk, TooBigMultibulkCountString) {
  std::string header = "*" + std::string(kInlineMaxSize - 1, '1');  // kInlineMaxSize bytes
  EXPECT_EQ(Feed(header), NeedMore(header.size()));
  header += "1";
  EXPECT_EQ(Feed(header), Error("Protocol error: too big mbulk count string", header.size()));
}

TEST(RequestParserMultibulk, UnauthenticatedMultibulkLength) {
  EXPECT_EQ(Feed("*11\r\n", Unauthenticated()),
            Error("Protocol error: unauthenticated multibulk length", 5));
  EXPECT_EQ(Feed("*11\r\n"), NeedMore(5));
  EXPECT_EQ(Feed("*10\r\n", Unauthenticated()), NeedMore(5));
  // A malformed count is reported as such before authentication is considered.
  EXPECT_EQ(Feed("*2000000\r\n", Unauthenticated()),
            Error("Protocol error: invalid multibulk length", 10));
}

TEST(RequestParserMultibulk, ExpectedDollar) {
  EXPECT_EQ(Feed("*1\r\n+foo\r\n"), Error("Protocol error: expected '$', got '+'", 10));
  // The case from Redis's own protocol tests.
  EXPECT_EQ(Feed("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n").error,
            "Protocol error: expected '$', got 'f'");
  // The header line must be complete before its first byte is judged.
  EXPECT_EQ(Feed("*1\r\nfoo"), NeedMore(7));
  // CR and LF never reach the error reply; a NUL cuts the message as Redis's %c does.
  EXPECT_EQ(Feed("*1\r\n\r\n").error, "Protocol error: expected '$', got ' '");
  EXPECT_EQ(Feed("*1\r\n\n\r\n").error, "Protocol error: expected '$', got ' '");
  EXPECT_EQ(Feed("*1\r\n\0\r\n"s).error, "Protocol error: expected '$', got '");
}

TEST(RequestParserMultibulk, TooBigBulkCountString) {
  std::string input = "*1\r\n$" + std::string(kInlineMaxSize - 1, '1');
  EXPECT_EQ(Feed(input), NeedMore(input.size()));
  input += "1";
  EXPECT_EQ(Feed(input), Error("Protocol error: too big bulk count string", input.size()));
}

TEST(RequestParserMultibulk, InvalidBulkLength) {
  const std::string kText = "Protocol error: invalid bulk length";
  for (std::string header : {"$abc", "$", "$-1", "$-0", "$01", "$+3", "$8388609"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(Feed("*1\r\n" + header + "\r\n"), Error(kText, header.size() + 6));
  }
  EXPECT_EQ(Feed("*1\r\n$8388608\r\n"), NeedMore(14));

  ParserLimits limits;
  limits.max_bulk_length = 10;
  EXPECT_EQ(Feed("*1\r\n$11\r\n", limits), Error(kText, 9));
  EXPECT_EQ(Feed("*1\r\n$10\r\n0123456789\r\n", limits), Command({"0123456789"}));
}

TEST(RequestParserMultibulk, SetMaxBulkLengthAppliesToLaterCommands) {
  RequestParser parser;
  parser.set_max_bulk_length(2);
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Parse("*1\r\n$3\r\nfoo\r\n", &args), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "Protocol error: invalid bulk length");
}

TEST(RequestParserMultibulk, UnauthenticatedBulkLength) {
  const std::string header = "*1\r\n$16385\r\n";
  EXPECT_EQ(Feed(header, Unauthenticated()),
            Error("Protocol error: unauthenticated bulk length", header.size()));
  EXPECT_EQ(Feed(header), NeedMore(header.size()));
  const std::string payload(16384, 'v');
  EXPECT_EQ(Feed("*1\r\n$16384\r\n" + payload + "\r\n", Unauthenticated()), Command({payload}));
}

TEST(RequestParserMultibulk, AuthenticationChangesLimitsBetweenCommands) {
  RequestParser parser(Unauthenticated());
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Parse("*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n", &args), ParseStatus::kCommand);
  parser.set_authenticated(true);
  std::string eleven = "*11\r\n";
  for (int i = 0; i < 11; ++i) eleven += "$1\r\na\r\n";
  ASSERT_EQ(parser.Parse(eleven, &args), ParseStatus::kCommand);
  EXPECT_EQ(args.size(), 11u);
}

TEST(RequestParserMultibulk, BulkPayloadTrailerIsSkippedUnchecked) {
  // Redis steps over the two bytes after the payload without checking them.
  EXPECT_EQ(Feed("*1\r\n$3\r\nfooXY*1\r\n$1\r\nz\r\n"), (Outcome{{{"foo"}, {"z"}}}));
  EXPECT_EQ(Feed("*1\r\n$3\r\nfoo\r"), NeedMore(12));
}

TEST(RequestParserMultibulk, LargeBulkInManyReads) {
  std::string payload(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  const std::string input = "*3\r\n$3\r\nSET\r\n$4\r\nbig!\r\n$" + std::to_string(payload.size()) +
                            "\r\n" + payload + "\r\n*1\r\n$4\r\nPING\r\n";
  std::vector<std::string_view> chunks;
  for (size_t at = 0; at < input.size(); at += 65536)
    chunks.push_back(std::string_view(input).substr(at, 65536));
  EXPECT_EQ(FeedChunks(chunks), (Outcome{{{"SET", "big!", payload}, {"PING"}}}));
}

// ---- inline ----

TEST(RequestParserInline, LineEndings) {
  EXPECT_EQ(Feed("PING\r\n"), Command({"PING"}));
  EXPECT_EQ(Feed("PING\n"), Command({"PING"}));
  EXPECT_EQ(Feed("PING"), NeedMore(4));
  EXPECT_EQ(Feed("PING\r"), NeedMore(5));
  // Only one CR is stripped; another is whitespace.
  EXPECT_EQ(Feed("get foo\r\r\n"), Command({"get", "foo"}));
}

TEST(RequestParserInline, SplitsOnWhitespace) {
  EXPECT_EQ(Feed("  set   a \t b  \r\n"), Command({"set", "a", "b"}));
  // \v and \f are skipped between arguments but belong to an unquoted argument, as in Redis.
  EXPECT_EQ(Feed("\v\fa\vb\n"), Command({"a\vb"}));
}

TEST(RequestParserInline, UnquotedArgumentsAreViewsIntoInput) {
  const std::string input = "get example.com \"quoted\"\r\n";
  RequestParser parser;
  const std::vector<std::string_view> args = ParseWhole(&parser, input);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1].data(), input.data() + 4);
  EXPECT_EQ(args[2], "quoted");
  EXPECT_TRUE(args[2].data() < input.data() || args[2].data() >= input.data() + input.size());
}

TEST(RequestParserInline, DoubleQuotes) {
  EXPECT_EQ(Feed("set \"a b\" c\n"), Command({"set", "a b", "c"}));
  EXPECT_EQ(Feed("set \"\" ''\n"), Command({"set", "", ""}));
  EXPECT_EQ(Feed(R"(echo "\n\r\t\b\a\\\"\q")"
                 "\n"),
            Command({"echo", "\n\r\t\b\a\\\"q"}));
  EXPECT_EQ(Feed(R"(echo "\x41\x4a\x4A\x00")"
                 "\n"),
            Command({"echo", "AJJ\0"s}));
  // \x needs two hex digits; otherwise the backslash just escapes the x.
  EXPECT_EQ(Feed(R"(echo "\x4" "\xZZ")"
                 "\n"),
            Command({"echo", "x4", "xZZ"}));
  // A quote may start in the middle of an argument.
  EXPECT_EQ(Feed("set a\"b c\" d\n"), Command({"set", "ab c", "d"}));
  // A closing quote followed by a tab or CR is fine.
  EXPECT_EQ(Feed("\"a\"\tb\n"), Command({"a", "b"}));
  EXPECT_EQ(Feed("\"a\"\r\n"), Command({"a"}));
  // The CR inside the quotes survives: only the CR before the LF is stripped.
  EXPECT_EQ(Feed("\"a\r\"\r\n"), Command({"a\r"}));
}

TEST(RequestParserInline, SingleQuotes) {
  EXPECT_EQ(Feed("set 'a b' c\n"), Command({"set", "a b", "c"}));
  EXPECT_EQ(Feed(R"(set 'it\'s' 'a\nb' '\x41')"
                 "\n"),
            Command({"set", "it's", "a\\nb", "\\x41"}));
}

TEST(RequestParserInline, UnbalancedQuotes) {
  const std::string kText = "Protocol error: unbalanced quotes in request";
  for (std::string line : {"get \"abc", "get 'abc", "get \"abc\"def", "get 'abc'def", "get \"a\\\"",
                           "get \"abc\\", "get 'it\\'", "\"a\"\"b\""}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(Feed(line + "\r\n"), Error(kText, line.size() + 2));
  }
}

TEST(RequestParserInline, EmptyLinesAreSkipped) {
  EXPECT_EQ(Feed("\r\n"), NeedMore(0));
  EXPECT_EQ(Feed("\n  \t\r\n\r\nPING\r\n\n"), Command({"PING"}));

  RequestParser parser;
  std::vector<std::string_view> args;
  EXPECT_EQ(parser.Parse("\r\n\n  \nGE", &args), ParseStatus::kNeedMore);
  EXPECT_EQ(parser.consumed(), 6u);
}

TEST(RequestParserInline, NulIsAnOrdinaryByte) {
  EXPECT_EQ(Feed("a\0b c\n"s), Command({"a\0b"s, "c"}));
}

TEST(RequestParserInline, TooBigInlineRequest) {
  const std::string kText = "Protocol error: too big inline request";
  const std::string longest(kInlineMaxSize, 'x');
  EXPECT_EQ(Feed(longest), NeedMore(kInlineMaxSize));
  EXPECT_EQ(Feed(longest + "\n"), Command({longest}));
  EXPECT_EQ(Feed(longest + "x"), Error(kText, kInlineMaxSize + 1));
  // Decided by the line's length alone, not by whether its end arrived in the same read.
  EXPECT_EQ(Feed(longest + "x\n"), Error(kText, kInlineMaxSize + 2));
}

TEST(RequestParserInline, MixedWithMultibulk) {
  EXPECT_EQ(Feed("PING\r\n*1\r\n$4\r\nPING\r\nget 'a b'\n"),
            (Outcome{{{"PING"}, {"PING"}, {"get", "a b"}}}));
}

// ---- incremental ----

const std::string kPipeline =
    "*2\r\n$3\r\nGET\r\n$11\r\nexample.com\r\n"
    "\r\n"
    "*0\r\n"
    "set \"a\\x41 b\" 'c\\'d' e\r\n"
    "*-3\r\n"
    "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nv\r\nv\0v\r\n"s
    "  \n"
    "PING\n"
    "*1\r\n$0\r\n\r\n";

const Outcome kPipelineOutcome{{{"GET", "example.com"},
                                {"set", "aA b", "c'd", "e"},
                                {"SET", "k", "v\r\nv\0v"s},
                                {"PING"},
                                {""}}};

TEST(RequestParserIncremental, WholePipeline) { EXPECT_EQ(Feed(kPipeline), kPipelineOutcome); }

TEST(RequestParserIncremental, SplitAtEveryByte) {
  const std::string_view all(kPipeline);
  for (size_t i = 0; i <= all.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(FeedChunks({all.substr(0, i), all.substr(i)}), kPipelineOutcome);
  }
}

TEST(RequestParserIncremental, SplitAtEveryPairOfBytes) {
  const std::string_view all(kPipeline);
  for (size_t i = 0; i <= all.size(); ++i) {
    for (size_t j = i; j <= all.size(); ++j) {
      Outcome got = FeedChunks({all.substr(0, i), all.substr(i, j - i), all.substr(j)});
      if (got != kPipelineOutcome) {
        ADD_FAILURE() << "split at " << i << " and " << j << ": " << got;
        return;
      }
    }
  }
}

TEST(RequestParserIncremental, OneByteAtATime) {
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < kPipeline.size(); ++i)
    chunks.push_back(std::string_view(kPipeline).substr(i, 1));
  EXPECT_EQ(FeedChunks(chunks), kPipelineOutcome);
}

TEST(RequestParserIncremental, ErrorsDoNotDependOnSplits) {
  const std::string bad = "*1\r\n$3\r\nfoo\r\n*2\r\n$3\r\nGET\r\n!x\r\n";
  const Outcome whole = Feed(bad);
  ASSERT_TRUE(whole.failed);
  EXPECT_EQ(whole.error, "Protocol error: expected '$', got '!'");
  EXPECT_EQ(whole.commands, std::vector<Args>{{"foo"}});
  for (size_t i = 0; i <= bad.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(FeedChunks({std::string_view(bad).substr(0, i), std::string_view(bad).substr(i)}),
              whole);
  }
}

TEST(RequestParserIncremental, TooBigLineByteByByte) {
  // Fed one byte at a time, the 65537th byte without a newline is the error, as in Redis.
  std::string input(kInlineMaxSize + 1, 'x');
  std::vector<std::string_view> chunks;
  for (size_t i = 0; i < input.size(); i += 1000)
    chunks.push_back(std::string_view(input).substr(i, 1000));
  EXPECT_EQ(FeedChunks(chunks), Error("Protocol error: too big inline request", input.size()));
}

TEST(RequestParser, ResetDropsPartialProgress) {
  RequestParser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nGET\r\n$5\r\nab", &args), ParseStatus::kNeedMore);
  parser.Reset();
  ASSERT_EQ(parser.Parse("PING\r\n", &args), ParseStatus::kCommand);
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
}

TEST(RequestParser, StartsFreshAfterAnError) {
  RequestParser parser;
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.Parse("*1\r\n$x\r\n", &args), ParseStatus::kError);
  ASSERT_EQ(parser.Parse("*1\r\n$4\r\nPING\r\n", &args), ParseStatus::kCommand);
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
}

// An unfinished multibulk holds nothing but the caller's bytes: its arguments are found again
// when the last one arrives (issue 14: parsed arguments used to cost 5x their wire size).
TEST(RequestParserMemory, UnfinishedMultibulkHoldsNoArgumentTable) {
  RequestParser parser;
  std::vector<std::string_view> args;
  std::string input = "*100001\r\n";
  for (int i = 0; i < 100000; ++i) input += "$1\r\nx\r\n";
  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kNeedMore);
  EXPECT_LT(parser.memory(), 64u);  // nothing per argument
  input += "$3\r\nend\r\n";
  ASSERT_EQ(parser.Parse(input, &args), ParseStatus::kCommand);
  ASSERT_EQ(args.size(), 100001u);
  EXPECT_EQ(args.front(), "x");
  EXPECT_EQ(args.back(), "end");
  EXPECT_EQ(args.capacity(), args.size());  // sized once, exactly
  EXPECT_EQ(parser.consumed(), input.size());
}

TEST(RequestParserMemory, LargeInlineTablesAreNotKept) {
  RequestParser parser;
  std::vector<std::string_view> args;
  std::string line;
  for (int i = 0; i < 8000; ++i) line += "a \"b\" ";  // 56 KB, under the inline limit
  line += "\r\n";
  ASSERT_EQ(parser.Parse(line, &args), ParseStatus::kCommand);
  EXPECT_EQ(args.size(), 16000u);
  EXPECT_EQ(args[1], "b");  // unescaped into the parser's own storage
  EXPECT_GT(parser.memory(), 0u);
  ASSERT_EQ(parser.Parse("PING\r\n", &args), ParseStatus::kCommand);
  EXPECT_LT(parser.memory(), 64u * 1024);
}

}  // namespace
}  // namespace resp
