#pragma once
// What the REPL knows about the server's commands, read from COMMAND DOCS when it connects (so a
// command added to the server later is known at once), or from COMMAND when DOCS is missing.
#include <map>
#include <string>
#include <vector>

#include "cli/session.h"

namespace ember::cli {

struct CommandDoc {
  std::string name;  // lower case; "config get" for a subcommand
  std::string summary, since, group;
  std::string arguments;  // "key value [NX|XX]": from the docs, else from the built-in table
  std::vector<std::string> subcommands;  // lower case, without the parent ("get")
};

class CommandCatalog {
 public:
  // Loads from the server; false when neither COMMAND DOCS nor COMMAND answered.
  bool Load(Session& session);
  bool empty() const { return docs_.empty(); }

  // Completions of the word being typed: command names for the first word, subcommands for the
  // second (upper case, as redis-cli completes).
  std::vector<std::string> Complete(const std::vector<std::string>& words_before,
                                    const std::string& partial) const;
  // The hint shown after what was typed ("value [NX|XX] ..."), or "" for none.
  std::string Hint(const std::vector<std::string>& words, bool ends_with_space) const;
  // "help set", "help @string", "help": the text to print.
  std::string Help(const std::vector<std::string>& args, bool color) const;

  const CommandDoc* Find(const std::string& name) const;

 private:
  std::map<std::string, CommandDoc> docs_;  // by name, subcommands as "config get"
};

// Argument syntax of common commands for servers whose COMMAND DOCS has no "arguments".
const char* BuiltinArgumentHint(const std::string& lower_name);

}  // namespace ember::cli
