// Set commands (being written).
#include "commands/command.h"

namespace ember {

void RegisterSetCommands(CommandTable&) {}

}  // namespace ember
