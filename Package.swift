// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "tunetop",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "tunetop", targets: ["tunetop"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
  ],
  targets: [
    .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
    .target(name: "CKernels"),
    .target(
      name: "Training",
      dependencies: [
        "CKernels", .product(name: "Yams", package: "Yams"), .product(name: "CSV", package: "CSV.swift"),
      ],
      resources: [.copy("Resources")]
    ),
    .target(name: "Dashboard", dependencies: ["Training"]),
    .target(name: "Terminal", dependencies: ["CNcursesw", "Dashboard"]),
    .executableTarget(
      name: "tunetop",
      dependencies: [
        "Training", "Dashboard", "Terminal",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Counts heap allocations for `tunetop-bench alloc` by interposing malloc; benchmark only.
    .target(name: "AllocCounter", path: "Benchmarks/AllocCounter"),
    .executableTarget(
      name: "tunetop-bench", dependencies: ["Training", "Dashboard", "CKernels", "AllocCounter"],
      path: "Benchmarks/TunetopBench"),
    // libFuzzer targets; plain builds link a replay driver instead (Tests/fuzz/run.sh).
    .executableTarget(
      name: "tunetop-fuzz", dependencies: ["Training", "Dashboard"], path: "Fuzz/TunetopFuzz"),
    .testTarget(name: "TrainingTests", dependencies: ["Training"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "DashboardTests", dependencies: ["Dashboard", "Training"],
      // Golden screens and theme fixtures are read from the source tree by path, not bundled.
      exclude: ["Golden", "Fixtures"]
    ),
    .testTarget(name: "tunetopTests", dependencies: ["tunetop", "Training"]),
  ]
)
