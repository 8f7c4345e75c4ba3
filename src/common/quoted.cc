#include "common/quoted.h"

namespace ember {

void AppendQuotedRepr(std::string& out, std::string_view bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : bytes) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u >= ' ' && u < 0x7f) {
          out += c;
        } else {
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        }
      }
    }
  }
  out += '"';
}

}  // namespace ember
