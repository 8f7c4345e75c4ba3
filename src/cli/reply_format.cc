// The four output formats. Each follows what redis-cli 7.0 prints for the same reply; the
// integration tests compare the two byte for byte.
#include "cli/reply_format.h"

#include <strings.h>

#include <cctype>
#include <cstdio>

#include "common/quoted.h"

namespace ember::cli {

void AppendQuoted(std::string& out, std::string_view bytes) {
  AppendQuotedRepr(out, bytes);
}

namespace {

const char* EmptyAggregateText(ReplyType type) {
  switch (type) {
    case ReplyType::kArray:
      return "(empty array)\n";
    case ReplyType::kMap:
      return "(empty hash)\n";
    case ReplyType::kSet:
      return "(empty set)\n";
    case ReplyType::kPush:
      return "(empty push)\n";
    default:
      return "(empty aggregate type)\n";
  }
}

void StandardAggregate(const Reply& reply, const std::string& prefix, std::string& out) {
  size_t entries = reply.elements.size();
  if (reply.type == ReplyType::kMap) entries /= 2;
  if (entries == 0) {
    out += EmptyAggregateText(reply.type);
    return;
  }
  // Entries are numbered 1..n, right-aligned to the widest index; nested aggregates are
  // indented by that width plus the separator and a space.
  int width = 1;
  for (size_t n = entries; n >= 10; n /= 10) ++width;
  std::string nested_prefix = prefix + std::string(width + 2, ' ');
  char separator = reply.type == ReplyType::kSet ? '~' : reply.type == ReplyType::kMap ? '#' : ')';
  size_t step = reply.type == ReplyType::kMap ? 2 : 1;
  for (size_t i = 0, index = 1; i < reply.elements.size(); i += step, ++index) {
    char label[32];
    std::snprintf(label, sizeof(label), "%*zu%c ", width, index, separator);
    if (i > 0) out += prefix;  // the first line continues the parent's own label
    out += label;
    out += FormatStandard(reply.elements[i], nested_prefix);
    if (reply.type == ReplyType::kMap) {
      out.pop_back();  // the key's newline
      out += " => ";
      // A value that takes several lines starts on a line of its own, one level deeper.
      std::string value = FormatStandard(reply.elements[i + 1], nested_prefix);
      if (value.find('\n') + 1 < value.size()) out += "\n" + nested_prefix;
      out += value;
    }
  }
}

void AppendJsonString(std::string& out, std::string_view bytes) {
  out += '"';
  for (unsigned char c : bytes) {
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
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\u%04x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void Json(const Reply& reply, std::string& out) {
  switch (reply.type) {
    case ReplyType::kError:
      out += "error:";
      AppendJsonString(out, reply.str);
      break;
    case ReplyType::kStatus:
    case ReplyType::kString:
    case ReplyType::kVerbatim:
      AppendJsonString(out, reply.str);
      break;
    case ReplyType::kInteger:
      out += std::to_string(reply.integer);
      break;
    case ReplyType::kDouble:
    case ReplyType::kBigNumber:
      out += reply.str;
      break;
    case ReplyType::kBool:
      out += reply.integer ? "true" : "false";
      break;
    case ReplyType::kNil:
      out += "null";
      break;
    case ReplyType::kMap:
      out += '{';
      for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        if (i > 0) out += ',';
        const Reply& key = reply.elements[i];
        // JSON keys are strings: a non-string key is formatted, then quoted.
        if (key.type == ReplyType::kString || key.type == ReplyType::kStatus ||
            key.type == ReplyType::kVerbatim) {
          AppendJsonString(out, key.str);
        } else {
          std::string text;
          Json(key, text);
          AppendJsonString(out, text);
        }
        out += ':';
        Json(reply.elements[i + 1], out);
      }
      out += '}';
      break;
    default:  // array, set, push
      out += '[';
      for (size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) out += ',';
        Json(reply.elements[i], out);
      }
      out += ']';
  }
}

}  // namespace

std::string FormatStandard(const Reply& reply, const std::string& prefix) {
  std::string out;
  switch (reply.type) {
    case ReplyType::kError:
      out = "(error) " + reply.str + "\n";
      break;
    case ReplyType::kStatus:
    case ReplyType::kVerbatim:
      out = reply.str + "\n";
      break;
    case ReplyType::kInteger:
      out = "(integer) " + std::to_string(reply.integer) + "\n";
      break;
    case ReplyType::kDouble:
      out = "(double) " + reply.str + "\n";
      break;
    case ReplyType::kBigNumber:
      out = "(big number) " + reply.str + "\n";
      break;
    case ReplyType::kString:
      AppendQuoted(out, reply.str);
      out += '\n';
      break;
    case ReplyType::kNil:
      out = "(nil)\n";
      break;
    case ReplyType::kBool:
      out = reply.integer ? "(true)\n" : "(false)\n";
      break;
    default:
      StandardAggregate(reply, prefix, out);
  }
  return out;
}

std::string FormatRaw(const Reply& reply, std::string_view multibulk_delim) {
  switch (reply.type) {
    case ReplyType::kNil:
      return "";
    case ReplyType::kError:
      return reply.str + "\n";
    case ReplyType::kInteger:
      return std::to_string(reply.integer);
    case ReplyType::kBool:
      return reply.integer ? "(true)" : "(false)";
    case ReplyType::kMap: {
      std::string out;
      for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        if (i > 0) out += multibulk_delim;
        out += FormatRaw(reply.elements[i], multibulk_delim);
        out += ' ';
        out += FormatRaw(reply.elements[i + 1], multibulk_delim);
      }
      return out;
    }
    case ReplyType::kArray:
    case ReplyType::kSet:
    case ReplyType::kPush: {
      std::string out;
      for (size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) out += multibulk_delim;
        out += FormatRaw(reply.elements[i], multibulk_delim);
      }
      return out;
    }
    default:
      return reply.str;
  }
}

std::string FormatCsv(const Reply& reply) {
  std::string out;
  switch (reply.type) {
    case ReplyType::kError:
      out = "ERROR,";
      AppendQuoted(out, reply.str);
      break;
    case ReplyType::kStatus:
    case ReplyType::kString:
    case ReplyType::kVerbatim:
      AppendQuoted(out, reply.str);
      break;
    case ReplyType::kInteger:
      out = std::to_string(reply.integer);
      break;
    case ReplyType::kDouble:
    case ReplyType::kBigNumber:
      out = reply.str;
      break;
    case ReplyType::kNil:
      out = "NULL";
      break;
    case ReplyType::kBool:
      out = reply.integer ? "true" : "false";
      break;
    default:
      for (size_t i = 0; i < reply.elements.size(); ++i) {
        if (i > 0) out += ',';
        out += FormatCsv(reply.elements[i]);
      }
  }
  return out;
}

std::string FormatJson(const Reply& reply) {
  std::string out;
  Json(reply, out);
  return out;
}

std::string FormatForOutput(const Reply& reply, OutputMode mode, bool verbatim,
                            std::string_view command_delim, std::string_view multibulk_delim) {
  if (verbatim) return FormatRaw(reply, multibulk_delim);
  switch (mode) {
    case OutputMode::kStandard:
      return FormatStandard(reply);
    case OutputMode::kRaw: {
      std::string out = FormatRaw(reply, multibulk_delim);
      out += command_delim;
      return out;
    }
    case OutputMode::kCsv:
      return FormatCsv(reply) + "\n";
    case OutputMode::kJson:
      return FormatJson(reply) + "\n";
  }
  return "";
}

bool IsFreeTextCommand(int argc, const std::string* argv) {
  if (argc < 1) return false;
  auto is = [&](int i, const char* word) {
    return argc > i && strcasecmp(argv[i].c_str(), word) == 0;
  };
  if (is(0, "info") || is(0, "lolwut")) return true;
  if (is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
    return true;
  if (is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor"))) return true;
  if (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info"))) return true;
  if (is(0, "client") && (is(1, "list") || is(1, "info"))) return true;
  if (argc == 3 && is(0, "latency") && is(1, "graph")) return true;
  if (argc == 2 && is(0, "latency") && is(1, "doctor")) return true;
  return false;
}

}  // namespace ember::cli
