// ZSet commands (being written).
#include "commands/command.h"

namespace ember {

void RegisterZSetCommands(CommandTable&) {}

}  // namespace ember
