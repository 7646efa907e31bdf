// Where the CLI sends its calls: node URL parsing, percent-encoding of path segments and query.
#include "node_client.hpp"

#include <gtest/gtest.h>

using namespace actorflow::cli;

namespace {

NodeUrl parsed(const std::string& text) {
  std::string error;
  auto url = parse_node_url(text, error);
  EXPECT_TRUE(url) << text << ": " << error;
  return url.value_or(NodeUrl{});
}

std::string error_for(const std::string& text) {
  std::string error;
  auto url = parse_node_url(text, error);
  EXPECT_FALSE(url) << text << " parsed as " << (url ? url->to_string() : "");
  return error;
}

}  // namespace

TEST(NodeUrlTest, ParsesSchemeHostPortAndPrefix) {
  NodeUrl url = parsed("http://127.0.0.1:8080");
  EXPECT_EQ(url.scheme, "http");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.path_prefix, "");

  url = parsed("HTTPS://node.example.com/actorflow/");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "node.example.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.path_prefix, "/actorflow");
  EXPECT_EQ(url.to_string(), "https://node.example.com:443/actorflow");
}

TEST(NodeUrlTest, WithoutSchemeIsHttpAndWithoutPortIsTheSchemesDefault) {
  NodeUrl url = parsed("localhost:9000");
  EXPECT_EQ(url.scheme, "http");
  EXPECT_EQ(url.host, "localhost");
  EXPECT_EQ(url.port, 9000);
  EXPECT_EQ(parsed("http://localhost/").port, 80);
}

TEST(NodeUrlTest, ParsesBracketedIpv6) {
  NodeUrl url = parsed("http://[::1]:8080");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.to_string(), "http://[::1]:8080");
}

TEST(NodeUrlTest, RefusesBadUrlsSayingWhy) {
  EXPECT_NE(error_for("").find("empty"), std::string::npos);
  EXPECT_NE(error_for("ftp://host:21").find("scheme 'ftp'"), std::string::npos);
  EXPECT_NE(error_for("http://host:80x").find("port '80x'"), std::string::npos);
  EXPECT_NE(error_for("http://host:0").find("port '0'"), std::string::npos);
  EXPECT_NE(error_for("http://host:65536").find("1..65535"), std::string::npos);
  EXPECT_NE(error_for("http://host:").find("port after ':' is empty"), std::string::npos);
  EXPECT_NE(error_for("http://:8080").find("host is empty"), std::string::npos);
  EXPECT_NE(error_for("http://host:8080/?x=1").find("query"), std::string::npos);
  EXPECT_NE(error_for("http://[::1:8080").find("not closed"), std::string::npos);
  EXPECT_NE(error_for("http://user@host").find("user info"), std::string::npos);
}

TEST(PercentEncodeTest, KeepsUnreservedBytesAndEncodesEveryOtherOne) {
  EXPECT_EQ(percent_encode("Order-1.a_b~Z9"), "Order-1.a_b~Z9");
  EXPECT_EQ(percent_encode("run-1/order-0001"), "run-1%2Forder-0001");
  EXPECT_EQ(percent_encode("a b+c%d?e#f&g=h"), "a%20b%2Bc%25d%3Fe%23f%26g%3Dh");
  EXPECT_EQ(percent_encode("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(percent_encode(std::string("a\0b", 3)), "a%00b");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(QueryStringTest, LeavesOutEmptyValuesAndEncodesTheRest) {
  EXPECT_EQ(query_string({}), "");
  EXPECT_EQ(query_string({{"status", ""}, {"limit", ""}}), "");
  EXPECT_EQ(query_string({{"status", "dead-lettered"}, {"definition", ""}, {"after", "run/1 x"}}),
            "?status=dead-lettered&after=run%2F1%20x");
}
