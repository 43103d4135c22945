// Log levels and the log sink every layer reports through (QEMU, cosim-host
// and tests each provide their own sink).
#pragma once

#include <functional>
#include <string>

namespace cosim {

enum class LogLevel : int { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };
using LogSink = std::function<void(LogLevel, const std::string&)>;

}  // namespace cosim
