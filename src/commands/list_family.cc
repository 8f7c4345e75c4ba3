// List commands (being written).
#include "commands/command.h"

namespace ember {

void RegisterListCommands(CommandTable&) {}

}  // namespace ember
