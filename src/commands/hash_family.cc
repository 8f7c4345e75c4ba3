// Hash commands (being written).
#include "commands/command.h"

namespace ember {

void RegisterHashCommands(CommandTable&) {}

}  // namespace ember
