import Foundation

/// The target libFuzzer runs, chosen once by `TUNETOP_FUZZ_TARGET` (config, theme, safetensors, csv, table).
let selectedTarget: FuzzTarget = {
  let name = ProcessInfo.processInfo.environment["TUNETOP_FUZZ_TARGET"] ?? ""
  guard let target = FuzzTarget(rawValue: name) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
    FileHandle.standardError.write(Data("set TUNETOP_FUZZ_TARGET=\(names); got \"\(name)\"\n".utf8))
    exit(2)
  }
  return target
}()

/// libFuzzer's entry point: one input per call, never retained.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  selectedTarget.run(bytes)
  return 0
}
