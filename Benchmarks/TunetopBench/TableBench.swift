// `tunetop-bench table-load FILE [--library]`: reads a CSV table as `tunetop train` does and prints
// seconds, rows, columns and peak RSS (VmHWM), for Benchmarks/tables.sh to set beside pandas.
// `--library` forces the CSV.swift path, for the fast path's justification.
//
// `tunetop-bench predict-rows ROWS FEATURES CLASSES`: the built-in MLP shape (hidden 128, 64) on
// ROWS random encoded rows, as `tunetop predict` runs it after reading (forward-only path, chunks
// of `MLPInference.chunkRows`): rows/s of forward + softmax, best of 3, at one and two threads, rows
// per CPU second at one thread, and the same on the shared-GEMM path for comparison.

import Foundation
import Training

func runTableLoad(arguments: [String]) {
  guard let path = arguments.first else {
    print("usage: tunetop-bench table-load FILE [--library]")
    exit(2)
  }
  let library = arguments.contains("--library")
  let start = now()
  do {
    let columns: TableReader.TextColumns = { names, hasHeader in
      [TableReader.labelColumn(names: names, hasHeader: hasHeader)]
    }
    let table: RawTable
    if library {
      table = try TableReader.readWithLibrary(path: path, textColumns: columns)
    } else {
      table = try TableReader.read(path: path, textColumns: columns)
    }
    let seconds = Double(now() - start) / 1e9
    emit(
      json([
        ("bench", "table-load"), ("path", library ? "library" : "default"), ("seconds", seconds),
        ("rows", table.rowCount), ("columns", table.columnCount), ("peak_rss_kib", residentSetKiB().peak),
        ("float32_kib", table.rowCount * table.columnCount * 4 / 1024),
      ]))
  } catch {
    emit(json([("bench", "table-load"), ("error", "\(error)")]))
    exit(1)
  }
}

func runPredictRows(arguments: [String]) {
  let values = arguments.compactMap { Int($0) }
  let (rows, features, classes) =
    values.count >= 3 ? (values[0], values[1], values[2]) : (1_000_000, 49, 10)
  let model = MLP(inputSize: features, hiddenSizes: [128, 64], classes: classes, dropout: 0, seed: 1)
  var rng = SplitMix64(seed: 3)
  let inputs = Matrix(
    rows: rows, cols: features,
    storage: (0..<(rows * features)).map { _ in Float(rng.next() % 2000) / 1000 - 1 })
  let predictor = Predictor(model: model, preprocessing: .digits(classes: classes, inputs: features))
  // One thread and two, as peer_tables.py is run at one thread and at PyTorch's default; the shared
  // GEMM path (what runs on CPUs without AVX-512) at one thread, for the kernel's share. With one
  // thread the work runs on this thread, so its CPU time is the work's, whatever else the machine does.
  var perThreads: [(threads: Int, seconds: Double, cpuSeconds: Double)] = []
  var checksum: Float = 0
  let thin = MLPInference(model)
  let gemm = MLPInference(model, kernel: .gemm)
  for (inference, threads) in [(thin, 1), (thin, 2), (gemm, 1)] {
    var best = Double.infinity
    var bestCPU = Double.infinity
    for _ in 0..<3 {
      let start = now()
      let cpuStart = threadCPUNanoseconds()
      let probabilities = inference.probabilities(inputs: inputs, threads: threads)
      bestCPU = min(bestCPU, Double(threadCPUNanoseconds() - cpuStart) / 1e9)
      best = min(best, Double(now() - start) / 1e9)
      checksum = probabilities.storage[0]
    }
    perThreads.append((threads, best, bestCPU))
  }
  // What `tunetop predict` calls, at the machine's thread count.
  let start = now()
  _ = predictor.probabilities(inputs: inputs)
  let predictorSeconds = Double(now() - start) / 1e9
  let best = perThreads[0...1].map(\.seconds).min()!
  emit(
    json([
      ("bench", "predict-rows"), ("rows", rows), ("features", features), ("classes", classes),
      ("kernel", "\(thin.kernel)"),
      ("rows_per_second_1_thread", Double(rows) / perThreads[0].seconds),
      ("rows_per_second_2_threads", Double(rows) / perThreads[1].seconds),
      ("rows_per_cpu_second_1_thread", Double(rows) / perThreads[0].cpuSeconds),
      ("gemm_rows_per_second_1_thread", Double(rows) / perThreads[2].seconds),
      ("gemm_rows_per_cpu_second_1_thread", Double(rows) / perThreads[2].cpuSeconds),
      ("predictor_threads", predictor.threads),
      ("predictor_rows_per_second", Double(rows) / predictorSeconds),
      ("seconds", best), ("rows_per_second", Double(rows) / best), ("checksum", Double(checksum)),
    ]))
}

// `tunetop-bench predict-file CHECKPOINT FILE`: `tunetop predict`'s steps on FILE with a run's
// checkpoint, each timed (read the CSV, look for unreadable cells, encode and scale, the model, write
// the prediction CSV into memory as the command does before its atomic write), so the whole
// command's time can be split between the table and the arithmetic.
func runPredictFile(arguments: [String]) {
  guard arguments.count >= 2 else {
    print("usage: tunetop-bench predict-file CHECKPOINT FILE")
    exit(2)
  }
  do {
    var phases: [(String, Any)] = [("bench", "predict-file")]
    var clock = now()
    func lap(_ name: String) {
      let time = now()
      phases.append((name + "_seconds", Double(time - clock) / 1e9))
      clock = time
    }
    let started = clock
    let predictor = try Predictor(checkpoint: URL(fileURLWithPath: arguments[0]))
    lap("load_model")
    let table = try predictor.read(path: arguments[1])
    lap("read_csv")
    let unreadable = try predictor.preprocessing.unreadableCells(table)
    lap("unreadable_check")
    let inputs = try predictor.preprocessing.encode(table)
    lap("encode_scale")
    let probabilities = predictor.probabilities(inputs: inputs)
    lap("model")
    let idColumn = table.hasHeader ? table.names.firstIndex { $0.lowercased() == "id" } : nil
    let ids = idColumn.map { column in
      (name: table.names[column], values: (0..<table.rowCount).map { table.text(row: $0, column: column) })
    }
    var output = Data()
    PredictionWriter.csv(
      ids: ids, classes: predictor.preprocessing.classes.names, probabilities: probabilities,
      unreadable: Set(unreadable.map(\.row))
    ) { output.append(contentsOf: $0) }
    lap("write_csv")
    phases += [
      ("total_seconds", Double(now() - started) / 1e9), ("rows", table.rowCount),
      ("threads", predictor.threads), ("output_bytes", output.count), ("peak_rss_kib", residentSetKiB().peak),
    ]
    emit(json(phases))
  } catch {
    emit(json([("bench", "predict-file"), ("error", "\(error)")]))
    exit(1)
  }
}
