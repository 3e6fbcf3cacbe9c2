// The fuzz build (`-sanitize=fuzzer -DFUZZING`, see Tests/fuzz/run.sh) hands `main` to libFuzzer's
// driver; every other build gets a replay driver, so `swift build` links the target without libFuzzer.
import Foundation

#if FUZZING
  // libFuzzer's own `main` is not linked: SwiftPM points `main` at this file's code, so run its driver.
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  _ = selectedTarget
  var argc = CommandLine.argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
  exit(runFuzzerDriver(&argc, &argv, fuzzTestOneInput))
#else
  /// `tunetop-fuzz TARGET FILE|DIR...`: runs each input through the target's checks once, as the
  /// fuzzer would, and prints one line per input (`parsed` or the error); a broken invariant crashes with its message.
  func replay(_ arguments: [String]) -> Int32 {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[0]) else {
      FileHandle.standardError.write(Data("usage: tunetop-fuzz \(names) FILE|DIR...\n".utf8))
      return 2
    }
    var files: [String] = []
    for path in arguments.dropFirst() {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("tunetop-fuzz: no such file \(path)\n".utf8))
        return 2
      }
      if isDirectory.boolValue {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files += entries.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
      } else {
        files.append(path)
      }
    }
    for file in files {
      guard let data = FileManager.default.contents(atPath: file) else {
        FileHandle.standardError.write(Data("tunetop-fuzz: cannot read \(file)\n".utf8))
        return 2
      }
      let outcome = target.run([UInt8](data))
      print("\(file): \(outcome.prefix { $0 != "\n" })")
    }
    print("\(files.count) inputs replayed through \(target.rawValue)")
    return 0
  }

  exit(replay(Array(CommandLine.arguments.dropFirst())))
#endif
