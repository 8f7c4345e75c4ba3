#pragma once
// One reply as ember-cli sees it: RESP2 and RESP3 types in one tree (a client, so no zero-copy).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::cli {

enum class ReplyType {
  kStatus,     // +
  kError,      // - and !
  kInteger,    // :
  kString,     // $
  kNil,        // $-1, *-1, _
  kArray,      // *
  kMap,        // % (elements alternate key, value)
  kSet,        // ~
  kPush,       // >
  kAttribute,  // | (kept only to be skipped)
  kDouble,     // ,
  kBool,       // #
  kVerbatim,   // = (str holds the text, vtype the 3-letter format)
  kBigNumber,  // (
};

struct Reply {
  ReplyType type = ReplyType::kNil;
  std::string str;
  std::string vtype;
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool IsAggregate() const {
    return type == ReplyType::kArray || type == ReplyType::kMap || type == ReplyType::kSet ||
           type == ReplyType::kPush;
  }
  bool IsError() const { return type == ReplyType::kError; }
  // The textual value of a scalar (status, string, verbatim, number), for the operator tools.
  std::string_view Text() const { return str; }
};

// Parses one reply from the front of buf. Returns the bytes it used, 0 when buf holds only part
// of a reply, or -1 on a protocol error (error gets a message).
long ParseReply(std::string_view buf, Reply& out, std::string& error);

}  // namespace ember::cli
