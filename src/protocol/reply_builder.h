#pragma once
// The one place that writes RESP reply bytes, for RESP2 and RESP3 alike. Command code calls
// these methods; it never formats wire bytes itself.
#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

class ReplyBuilder {
 public:
  ReplyBuilder(std::string* out, int resp_version) : out_(out), resp3_(resp_version >= 3) {}

  bool resp3() const { return resp3_; }
  void set_resp_version(int version) { resp3_ = version >= 3; }
  void set_output(std::string* out) { out_ = out; }
  std::string* output() const { return out_; }
  // Error replies written so far: a command failed when its run moved this.
  uint64_t errors_written() const { return errors_written_; }
  // The output may not grow past `limit` bytes (the client's hard output limit): commands whose
  // reply size a count decides (SRANDMEMBER s -1e12) stop building once Overflowed(), and the
  // client is then closed, as Redis closes a client past its limit.
  void set_limit(size_t limit) { limit_ = limit; }
  bool Overflowed() const { return out_->size() > limit_; }

  void Ok() { out_->append("+OK\r\n", 5); }
  void SimpleString(std::string_view s);
  // msg is the full error text including its code, e.g. "ERR syntax error" or "WRONGTYPE ...".
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);  // an integer sent as a bulk string
  void Null();              // missing bulk: $-1 / _
  void NullArray();         // missing array: *-1 / _
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);              // RESP2: an array of 2n
  void SetHeader(size_t n);              // RESP2: an array of n
  void PushHeader(size_t n);             // RESP2: an array of n
  void Double(double v);                 // RESP2: bulk string; RESP3: ','
  void Bool(bool v);                     // RESP2: integer 0/1
  void Verbatim(std::string_view text);  // RESP3 '=' txt; RESP2 bulk
  void BulkArray(std::initializer_list<std::string_view> items);
  // A double already formatted (GEOPOS's coordinates): RESP2 bulk string; RESP3 ','.
  void DoubleText(std::string_view text);
  // RESP3 '(' (a script's {big_number=...}); RESP2 a bulk string.
  void BigNumber(std::string_view digits);

 private:
  void Header(char type, int64_t n);

  std::string* out_;
  bool resp3_;
  uint64_t errors_written_ = 0;
  size_t limit_ = SIZE_MAX;
};

}  // namespace ember
