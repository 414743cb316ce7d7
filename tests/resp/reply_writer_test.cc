#include "resp/reply_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

namespace resp {
namespace {

using namespace std::string_literals;

// Bytes written by `write` for protocol 2 and for protocol 3.
struct Bytes {
  std::string resp2;
  std::string resp3;
};

Bytes Write(const std::function<void(ReplyWriter&)>& write) {
  Bytes b;
  ReplyWriter w2(&b.resp2, 2);
  write(w2);
  ReplyWriter w3(&b.resp3, 3);
  write(w3);
  return b;
}

void ExpectBoth(const std::function<void(ReplyWriter&)>& write, std::string resp2,
                std::string resp3) {
  Bytes b = Write(write);
  EXPECT_EQ(b.resp2, resp2);
  EXPECT_EQ(b.resp3, resp3);
}

void ExpectSame(const std::function<void(ReplyWriter&)>& write, std::string both) {
  ExpectBoth(write, both, both);
}

TEST(ReplyWriter, AppendsToTheCallersString) {
  std::string out = "existing";
  ReplyWriter w(&out, 3);
  EXPECT_EQ(w.protocol(), 3);
  w.Integer(1);
  EXPECT_EQ(out, "existing:1\r\n");
}

TEST(ReplyWriter, Simple) {
  ExpectSame([](ReplyWriter& w) { w.Simple("OK"); }, "+OK\r\n");
  ExpectSame([](ReplyWriter& w) { w.Simple(""); }, "+\r\n");
  ExpectSame([](ReplyWriter& w) { w.Simple("a\r\nb\nc\r"); }, "+a  b c \r\n");
}

TEST(ReplyWriter, Error) {
  ExpectSame([](ReplyWriter& w) { w.Error("ERR unknown command 'x'"); },
             "-ERR unknown command 'x'\r\n");
  ExpectSame([](ReplyWriter& w) { w.Error("NOAUTH line\r\nbreak"); }, "-NOAUTH line  break\r\n");
}

TEST(ReplyWriter, Integer) {
  ExpectSame([](ReplyWriter& w) { w.Integer(0); }, ":0\r\n");
  ExpectSame([](ReplyWriter& w) { w.Integer(-42); }, ":-42\r\n");
  ExpectSame([](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::min()); },
             ":-9223372036854775808\r\n");
  ExpectSame([](ReplyWriter& w) { w.Integer(std::numeric_limits<int64_t>::max()); },
             ":9223372036854775807\r\n");
}

TEST(ReplyWriter, Bulk) {
  ExpectSame([](ReplyWriter& w) { w.Bulk("hello"); }, "$5\r\nhello\r\n");
  ExpectSame([](ReplyWriter& w) { w.Bulk(""); }, "$0\r\n\r\n");
  ExpectSame([](ReplyWriter& w) { w.Bulk("a\r\n\0b"s); }, "$5\r\na\r\n\0b\r\n"s);
  const std::string big(100000, 'z');
  ExpectSame([&](ReplyWriter& w) { w.Bulk(big); }, "$100000\r\n" + big + "\r\n");
}

TEST(ReplyWriter, Nulls) {
  ExpectBoth([](ReplyWriter& w) { w.Null(); }, "$-1\r\n", "_\r\n");
  ExpectBoth([](ReplyWriter& w) { w.NullArray(); }, "*-1\r\n", "_\r\n");
}

TEST(ReplyWriter, AggregateHeaders) {
  ExpectSame([](ReplyWriter& w) { w.ArrayHeader(0); }, "*0\r\n");
  ExpectSame([](ReplyWriter& w) { w.ArrayHeader(12); }, "*12\r\n");
  ExpectBoth([](ReplyWriter& w) { w.MapHeader(3); }, "*6\r\n", "%3\r\n");
  ExpectBoth([](ReplyWriter& w) { w.MapHeader(0); }, "*0\r\n", "%0\r\n");
  ExpectBoth([](ReplyWriter& w) { w.SetHeader(2); }, "*2\r\n", "~2\r\n");
  ExpectBoth([](ReplyWriter& w) { w.PushHeader(3); }, "*3\r\n", ">3\r\n");
}

TEST(ReplyWriter, MapWithEntries) {
  ExpectBoth(
      [](ReplyWriter& w) {
        w.MapHeader(2);
        w.Bulk("a");
        w.Integer(1);
        w.Bulk("b");
        w.Null();
      },
      "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n", "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n");
}

TEST(ReplyWriter, Double) {
  ExpectBoth([](ReplyWriter& w) { w.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Double(3); }, "$1\r\n3\r\n", ",3\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Double(-0.0); }, "$2\r\n-0\r\n", ",-0\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Double(123456789012345.0); }, "$15\r\n123456789012345\r\n",
             ",123456789012345\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
             ",0.10000000000000001\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Double(1e20); }, "$5\r\n1e+20\r\n", ",1e+20\r\n");
}

TEST(ReplyWriter, DoubleSpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ExpectBoth([&](ReplyWriter& w) { w.Double(inf); }, "$3\r\ninf\r\n", ",inf\r\n");
  ExpectBoth([&](ReplyWriter& w) { w.Double(-inf); }, "$4\r\n-inf\r\n", ",-inf\r\n");
  ExpectBoth([&](ReplyWriter& w) { w.Double(nan); }, "$3\r\nnan\r\n", ",nan\r\n");
  ExpectBoth([&](ReplyWriter& w) { w.Double(-nan); }, "$3\r\nnan\r\n", ",nan\r\n");
}

TEST(ReplyWriter, DoubleMatchesPrintf17g) {
  for (double d : {0.0, 1.0, -1.0, 0.3, 2.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, 1e16,
                   1e17, 123.456, -9007199254740993.0}) {
    char expected[64];
    std::snprintf(expected, sizeof expected, "%.17g", d);
    std::string out;
    ReplyWriter(&out, 3).Double(d);
    EXPECT_EQ(out, "," + std::string(expected) + "\r\n");
  }
}

TEST(ReplyWriter, Boolean) {
  ExpectBoth([](ReplyWriter& w) { w.Boolean(true); }, ":1\r\n", "#t\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Boolean(false); }, ":0\r\n", "#f\r\n");
}

TEST(ReplyWriter, Verbatim) {
  ExpectBoth([](ReplyWriter& w) { w.Verbatim("txt", "Some string"); }, "$11\r\nSome string\r\n",
             "=15\r\ntxt:Some string\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Verbatim("mkd", ""); }, "$0\r\n\r\n", "=4\r\nmkd:\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Verbatim("txt", "a\r\nb"); }, "$4\r\na\r\nb\r\n",
             "=8\r\ntxt:a\r\nb\r\n");
  // Like Redis, a short format is padded with spaces and a long one cut to three bytes.
  ExpectBoth([](ReplyWriter& w) { w.Verbatim("t", "x"); }, "$1\r\nx\r\n", "=5\r\nt  :x\r\n");
  ExpectBoth([](ReplyWriter& w) { w.Verbatim("text", "x"); }, "$1\r\nx\r\n", "=5\r\ntex:x\r\n");
}

TEST(ReplyWriter, BigNumber) {
  ExpectBoth([](ReplyWriter& w) { w.BigNumber("3492890328409238509324850943850943825024385"); },
             "$43\r\n3492890328409238509324850943850943825024385\r\n",
             "(3492890328409238509324850943850943825024385\r\n");
  ExpectBoth([](ReplyWriter& w) { w.BigNumber("-1"); }, "$2\r\n-1\r\n", "(-1\r\n");
}

TEST(ReplyWriter, Raw) {
  ExpectSame([](ReplyWriter& w) { w.Raw("$3\r\nabc\r\n"); }, "$3\r\nabc\r\n");
  ExpectSame([](ReplyWriter& w) { w.Raw(""); }, "");
}

// Code that hands a reply on as bytes gets exactly what the writer writes, for each protocol.
TEST(BuildReply, IsWhatTheWriterWrites) {
  auto scan = [](ReplyWriter& w) {
    w.ArrayHeader(2);
    w.Bulk("17");
    w.ArrayHeader(2);
    w.Bulk("a.test");
    w.Bulk("b.test");
  };
  for (int protocol : {2, 3}) {
    std::string direct;
    ReplyWriter w(&direct, protocol);
    scan(w);
    EXPECT_EQ(BuildReply(protocol, scan), direct);
  }
  EXPECT_EQ(BuildReply(2, scan), "*2\r\n$2\r\n17\r\n*2\r\n$6\r\na.test\r\n$6\r\nb.test\r\n");
  EXPECT_EQ(BuildReply(3, [](ReplyWriter& w) { w.MapHeader(1); }), "%1\r\n");
  EXPECT_EQ(BuildReply(2, [](ReplyWriter& w) { w.MapHeader(1); }), "*2\r\n");
}

TEST(OneValueReplies, MatchTheWriter) {
  EXPECT_EQ(SimpleReply("OK"), "+OK\r\n");
  EXPECT_EQ(IntegerReply(-42), ":-42\r\n");
  EXPECT_EQ(BulkReply("{}"), "$2\r\n{}\r\n");
  EXPECT_EQ(BulkReply(""), "$0\r\n\r\n");
  EXPECT_EQ(NullReply(2), "$-1\r\n");
  EXPECT_EQ(NullReply(3), "_\r\n");
}

// An error quoting client input cannot end its line early and forge a second reply.
TEST(OneValueReplies, ErrorKeepsClientInputOnOneLine) {
  EXPECT_EQ(ErrorReply("ERR invalid domain 'a\r\n+OK'"), "-ERR invalid domain 'a  +OK'\r\n");
  EXPECT_EQ(SimpleReply("x\ny"), "+x y\r\n");
}

}  // namespace
}  // namespace resp
