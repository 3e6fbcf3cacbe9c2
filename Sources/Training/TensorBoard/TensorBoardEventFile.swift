import Foundation

/// The contents of one TensorBoard event file: `Event` protos (scalars, text, hparams summaries)
/// framed as TFRecords, starting with the `brain.Event:2` version record that readers expect.
///
/// Field numbers are those of tensorboard/compat/proto/{event,summary,tensor}.proto and
/// tensorboard/plugins/hparams/{plugin_data,api}.proto.
public struct TensorBoardEventFile {
  private var records = TFRecordWriter()

  public init(wallTime: Double) {
    var event = ProtobufWriter()
    event.double(1, wallTime)
    event.string(3, "brain.Event:2")
    records.append(event.bytes)
  }

  public var data: Data { records.data }

  /// A value TensorBoard's hparams dashboard shows (google.protobuf.Value).
  public enum HParamValue: Equatable, Sendable {
    case number(Double)
    case text(String)
    case flag(Bool)
  }

  /// How a session (run) ended, as the hparams plugin's `Status` enum numbers it.
  public enum SessionStatus: Int64, Sendable {
    case unknown = 0, success, failure, running
  }

  /// A `simple_value` scalar: what `EventAccumulator.Scalars(tag)` returns (as a 32-bit float).
  public mutating func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double) {
    append(step: step, wallTime: wallTime) { summary in
      summary.string(1, tag)
      summary.float(2, Float(value))
    }
  }

  /// A text summary (the text plugin's scalar string tensor), shown in TensorBoard's Text tab.
  public mutating func text(_ tag: String, _ text: String, step: Int, wallTime: Double) {
    append(step: step, wallTime: wallTime) { value in
      value.string(1, tag)
      value.message(9) { metadata in
        // TextPluginData at version 0 serialises to no bytes.
        metadata.message(1) { plugin in plugin.string(1, "text") }
      }
      value.message(8) { tensor in
        tensor.integer(1, 7)  // DT_STRING
        tensor.message(2) { _ in }  // a scalar: a shape with no dimensions
        tensor.string(8, text)
      }
    }
  }

  /// The experiment: which hyperparameters and metrics the hparams dashboard offers as columns.
  public mutating func hparamsExperiment(
    hparams: [(name: String, type: HParamValue)], metrics: [String], wallTime: Double
  ) {
    hparamsSummary(tag: "_hparams_/experiment", wallTime: wallTime) { data in
      data.message(2) { experiment in
        experiment.double(3, wallTime)
        for (name, type) in hparams {
          experiment.message(4) { info in
            info.string(1, name)
            let code: Int64 =
              switch type {
              case .text: 1
              case .flag: 2
              case .number: 3
              }
            info.integer(4, code)
          }
        }
        for tag in metrics {
          experiment.message(5) { info in
            info.message(1) { name in name.string(2, tag) }
          }
        }
      }
    }
  }

  /// One session's hyperparameter values: a row of the hparams dashboard.
  public mutating func hparamsSessionStart(
    _ values: [(name: String, value: HParamValue)], group: String, startTime: Double
  ) {
    hparamsSummary(tag: "_hparams_/session_start_info", wallTime: startTime) { data in
      data.message(3) { session in
        for (name, value) in values {
          // map<string, google.protobuf.Value>: each entry a message of key 1 and value 2.
          session.message(1) { entry in
            entry.string(1, name)
            entry.message(2) { encoded in
              switch value {
              case .number(let number): encoded.double(2, number)
              case .text(let text): encoded.string(3, text)
              case .flag(let flag): encoded.bool(4, flag)
              }
            }
          }
        }
        session.string(4, group)
        session.double(5, startTime)
      }
    }
  }

  public mutating func hparamsSessionEnd(_ status: SessionStatus, endTime: Double) {
    hparamsSummary(tag: "_hparams_/session_end_info", wallTime: endTime) { data in
      data.message(4) { session in
        session.integer(1, status.rawValue)
        session.double(2, endTime)
      }
    }
  }

  /// An hparams summary: the HParamsPluginData (version 0) in the metadata's plugin content and,
  /// as the plugin itself writes, an empty float tensor as the value.
  private mutating func hparamsSummary(
    tag: String, wallTime: Double, _ body: (inout ProtobufWriter) -> Void
  ) {
    var content = ProtobufWriter()
    body(&content)
    append(step: 0, wallTime: wallTime) { value in
      value.string(1, tag)
      value.message(9) { metadata in
        metadata.message(1) { plugin in
          plugin.string(1, "hparams")
          plugin.bytes(2, content.bytes)
        }
      }
      value.message(8) { tensor in
        tensor.integer(1, 1)  // DT_FLOAT
        tensor.message(2) { shape in shape.message(2) { _ in } }  // one dimension of size 0
      }
    }
  }

  /// Appends an Event holding a Summary with one Value, written by `body`.
  private mutating func append(step: Int, wallTime: Double, _ body: (inout ProtobufWriter) -> Void) {
    var event = ProtobufWriter()
    event.double(1, wallTime)
    event.integer(2, Int64(step))
    event.message(5) { summary in summary.message(1, body) }
    records.append(event.bytes)
  }
}
