// Loading the command catalog, completion, hints and help from it.
#include "cli/command_catalog.h"

#include <algorithm>
#include <cctype>

namespace ember::cli {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const Reply* MapGet(const Reply& map, const char* key) {
  if (map.type != ReplyType::kMap && map.type != ReplyType::kArray) return nullptr;
  for (size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].str == key) return &map.elements[i + 1];
  }
  return nullptr;
}

// Renders one COMMAND DOCS argument spec: "key", "[NX|XX]", "seconds [seconds ...]".
std::string RenderArgument(const Reply& arg) {
  const Reply* name = MapGet(arg, "name");
  const Reply* type = MapGet(arg, "type");
  const Reply* token = MapGet(arg, "token");
  const Reply* flags = MapGet(arg, "flags");
  const Reply* nested = MapGet(arg, "arguments");
  bool optional = false, multiple = false;
  if (flags != nullptr) {
    for (const Reply& f : flags->elements) {
      optional |= f.str == "optional";
      multiple |= f.str == "multiple";
    }
  }
  std::string body;
  std::string kind = type ? type->str : "";
  if (kind == "pure-token") {
    body = token ? token->str : "";
  } else {
    std::string value;
    if ((kind == "oneof" || kind == "block") && nested != nullptr) {
      for (size_t i = 0; i < nested->elements.size(); ++i) {
        if (i > 0) value += kind == "oneof" ? "|" : " ";
        value += RenderArgument(nested->elements[i]);
      }
    } else {
      value = name ? name->str : "";
    }
    body = token ? token->str + " " + value : value;
  }
  if (multiple) body += " [" + body + " ...]";
  return optional ? "[" + body + "]" : body;
}

void LoadDoc(const std::string& name, const Reply& doc, std::map<std::string, CommandDoc>& out) {
  CommandDoc d;
  d.name = Lower(name);
  size_t bar = d.name.find('|');
  if (bar != std::string::npos) d.name[bar] = ' ';
  if (const Reply* r = MapGet(doc, "summary")) d.summary = r->str;
  if (const Reply* r = MapGet(doc, "since")) d.since = r->str;
  if (const Reply* r = MapGet(doc, "group")) d.group = r->str;
  if (const Reply* args = MapGet(doc, "arguments")) {
    for (size_t i = 0; i < args->elements.size(); ++i) {
      if (i > 0) d.arguments += ' ';
      d.arguments += RenderArgument(args->elements[i]);
    }
  } else if (const char* hint = BuiltinArgumentHint(d.name)) {
    d.arguments = hint;
  }
  if (const Reply* subs = MapGet(doc, "subcommands")) {
    for (size_t i = 0; i + 1 < subs->elements.size(); i += 2) {
      std::string full = Lower(subs->elements[i].str);
      LoadDoc(full, subs->elements[i + 1], out);
      size_t sep = full.find('|');
      d.subcommands.push_back(sep == std::string::npos ? full : full.substr(sep + 1));
    }
  }
  out[d.name] = std::move(d);
}

// Splits "a [b c] d|e" into top-level words, keeping bracketed groups whole.
std::vector<std::string> HintTokens(const std::string& hint) {
  std::vector<std::string> tokens;
  std::string current;
  int depth = 0;
  for (char c : hint) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ' ' && depth == 0) {
      if (!current.empty()) tokens.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

}  // namespace

bool CommandCatalog::Load(Session& session) {
  docs_.clear();
  Reply reply;
  if (session.Call({"COMMAND", "DOCS"}, reply) && !reply.IsError() && !reply.elements.empty()) {
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      LoadDoc(reply.elements[i].str, reply.elements[i + 1], docs_);
    }
    return true;
  }
  if (!session.Call({"COMMAND"}, reply) || reply.IsError()) return false;
  for (const Reply& info : reply.elements) {
    if (info.elements.empty()) continue;
    CommandDoc d;
    d.name = Lower(info.elements[0].str);
    if (const char* hint = BuiltinArgumentHint(d.name)) d.arguments = hint;
    docs_[d.name] = d;
  }
  return !docs_.empty();
}

const CommandDoc* CommandCatalog::Find(const std::string& name) const {
  auto it = docs_.find(Lower(name));
  return it == docs_.end() ? nullptr : &it->second;
}

std::vector<std::string> CommandCatalog::Complete(const std::vector<std::string>& words_before,
                                                  const std::string& partial) const {
  std::vector<std::string> out;
  std::string prefix = Lower(partial);
  if (words_before.empty()) {
    for (const auto& [name, doc] : docs_) {
      if (name.find(' ') == std::string::npos && name.rfind(prefix, 0) == 0)
        out.push_back(Upper(name));
    }
    if (std::string("help").rfind(prefix, 0) == 0 && docs_.count("help") == 0)
      out.push_back("HELP");
  } else if (words_before.size() == 1) {
    if (Lower(words_before[0]) == "help") {
      for (const auto& [name, doc] : docs_) {
        if (name.find(' ') == std::string::npos && name.rfind(prefix, 0) == 0)
          out.push_back(Upper(name));
      }
    } else if (const CommandDoc* doc = Find(words_before[0])) {
      for (const std::string& sub : doc->subcommands) {
        if (sub.rfind(prefix, 0) == 0) out.push_back(Upper(sub));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string CommandCatalog::Hint(const std::vector<std::string>& words,
                                 bool ends_with_space) const {
  if (words.empty()) return "";
  const CommandDoc* doc = Find(words[0]);
  size_t typed = words.size() - 1;
  if (doc != nullptr && words.size() >= 2 && !doc->subcommands.empty()) {
    if (const CommandDoc* sub = Find(words[0] + " " + words[1])) {
      doc = sub;
      typed = words.size() - 2;
    } else if (words.size() == 2 && !ends_with_space) {
      return "";
    }
  }
  if (doc == nullptr) return "";
  if (!ends_with_space) {
    // Still typing a word: hint only once the command name is complete and unambiguous.
    if (words.size() != 1 || doc->name != Lower(words[0])) return "";
    return doc->arguments.empty() ? "" : " " + doc->arguments;
  }
  std::vector<std::string> tokens = HintTokens(doc->arguments);
  if (doc->arguments.empty() && !doc->subcommands.empty() && typed == 0) {
    std::string subs;
    for (const std::string& s : doc->subcommands) subs += (subs.empty() ? "" : "|") + Upper(s);
    return subs;
  }
  // Drop the arguments already typed, while they are required ones.
  size_t skip = 0;
  while (skip < typed && skip < tokens.size() && tokens[skip][0] != '[') ++skip;
  if (skip < typed && skip < tokens.size()) return "";  // into the options: stay quiet
  std::string hint;
  for (size_t i = skip; i < tokens.size(); ++i) hint += (hint.empty() ? "" : " ") + tokens[i];
  return hint;
}

std::string CommandCatalog::Help(const std::vector<std::string>& args, bool color) const {
  auto entry = [&](const CommandDoc& d, bool with_group) {
    std::string text = "\n  ";
    text += color ? "\x1b[1m" + Upper(d.name) + "\x1b[0m" : Upper(d.name);
    if (!d.arguments.empty())
      text += " " + (color ? "\x1b[90m" + d.arguments + "\x1b[0m" : d.arguments);
    text += "\n";
    auto field = [&](const char* label, const std::string& value) {
      text += color ? std::string("  \x1b[33m") + label + ":\x1b[0m "
                    : std::string("  ") + label + ": ";
      text += value + "\n";
    };
    if (!d.summary.empty()) field("summary", d.summary);
    if (!d.since.empty()) field("since", d.since);
    if (with_group && !d.group.empty()) field("group", d.group);
    return text;
  };
  if (args.size() <= 1) {
    return "ember-cli (redis-cli compatible)\n"
           "To get help about commands, type:\n"
           "      \"help @<group>\" to get a list of commands in <group>\n"
           "      \"help <command>\" for help on <command>\n"
           "      \"help <tab>\" to get a list of possible help topics\n"
           "      \"quit\" to exit\n";
  }
  std::string topic = Lower(args[1]);
  if (topic[0] == '@') {
    std::string group = topic.substr(1);
    std::string text;
    for (const auto& [name, doc] : docs_) {
      if (doc.group == group && name.find(' ') == std::string::npos) text += entry(doc, false);
    }
    return text.empty() ? "" : text + "\n";
  }
  std::string name = topic;
  for (size_t i = 2; i < args.size(); ++i) name += " " + Lower(args[i]);
  const CommandDoc* doc = Find(name);
  if (doc == nullptr) return "";
  std::string text = entry(*doc, true);
  for (const std::string& sub : doc->subcommands) {
    if (const CommandDoc* s = Find(doc->name + " " + sub)) text += entry(*s, true);
  }
  return text + "\n";
}

}  // namespace ember::cli
