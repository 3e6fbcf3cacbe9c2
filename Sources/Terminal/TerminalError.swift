/// Why the dashboard could not take over the terminal, worded for the person who ran the command.
public enum TerminalError: Error, Equatable, Sendable, CustomStringConvertible {
  case notATerminal
  case termNotSet
  case unknownTerminal(String)
  case alreadyStarted

  public var description: String {
    switch self {
    case .notATerminal:
      "the dashboard needs a terminal; for headless runs use `tunetop train`"
    case .termNotSet:
      "TERM is not set; set TERM to e.g. xterm-256color"
    case .unknownTerminal(let name):
      "unknown terminal type \"\(name)\"; set TERM to e.g. xterm-256color"
    case .alreadyStarted:
      "the terminal session is already started"
    }
  }
}
