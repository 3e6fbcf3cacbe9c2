import Foundation
import Testing

@testable import Training

/// The tokenizer against ids Hugging Face's BertTokenizer gave for the same vocab.txt (the fixture is
/// written by Fixtures/tokenizer/make_tokenizer_fixture.py), and its errors for bad folders.
struct BertTokenizerTests {
  struct Case: Decodable {
    struct Config: Decodable, Hashable {
      var lowercase: Bool
      var stripAccents: Bool? = nil
      var tokenizeChineseCharacters: Bool? = nil

      enum CodingKeys: String, CodingKey {
        case lowercase = "do_lower_case"
        case stripAccents = "strip_accents"
        case tokenizeChineseCharacters = "tokenize_chinese_chars"
      }
    }
    var config: Config
    var maxLength: Int
    var text: String
    var ids: [Int32]

    enum CodingKeys: String, CodingKey {
      case config, text, ids
      case maxLength = "max_length"
    }
  }

  static let fixtureFolder = Bundle.module.url(
    forResource: "tokenizer", withExtension: nil, subdirectory: "Fixtures")!
  static let vocabulary = try! WordPieceVocabulary(
    contentsOf: fixtureFolder.appendingPathComponent("vocab.txt"))

  static func tokenizer(_ config: Case.Config) throws -> BertTokenizer {
    var configuration = BertTokenizerConfiguration()
    configuration.lowercase = config.lowercase
    configuration.stripAccents = config.stripAccents
    configuration.tokenizeChineseCharacters = config.tokenizeChineseCharacters ?? true
    return try BertTokenizer(vocabulary: vocabulary, configuration: configuration)
  }

  @Test func matchesHuggingFaceOnEveryFixtureCase() throws {
    let data = try Data(contentsOf: Self.fixtureFolder.appendingPathComponent("expected_ids.json"))
    let cases = try JSONDecoder().decode([Case].self, from: data)
    #expect(cases.count > 300)
    var tokenizers: [Case.Config: BertTokenizer] = [:]
    for testCase in cases {
      let tokenizer = try tokenizers[testCase.config] ?? Self.tokenizer(testCase.config)
      tokenizers[testCase.config] = tokenizer
      let ids = tokenizer.encode(testCase.text, maxLength: testCase.maxLength)
      #expect(
        ids == testCase.ids,
        "\(testCase.config) max \(testCase.maxLength) \(testCase.text.debugDescription): \(tokenizer.tokens(of: ids))"
      )
    }
  }

  @Test func loadsAFolderWithItsConfiguration() throws {
    let folder = ScratchDirectory()
    try FileManager.default.copyItem(
      at: Self.fixtureFolder.appendingPathComponent("vocab.txt"),
      to: folder.url.appendingPathComponent("vocab.txt"))
    let uncased = try BertTokenizer(folder: folder.url)
    #expect(uncased.configuration == BertTokenizerConfiguration())
    #expect(uncased.tokens(of: uncased.encode("Héllo", maxLength: 512)) == ["[CLS]", "hello", "[SEP]"])
    #expect(
      [uncased.paddingID, uncased.unknownID, uncased.classifierID, uncased.separatorID, uncased.maskID]
        == [0, 100, 101, 102, 103])

    try Data(#"{"do_lower_case": false, "model_max_length": 256, "cls_token": {"content": "[CLS]"}}"#.utf8)
      .write(to: folder.url.appendingPathComponent("tokenizer_config.json"))
    let cased = try BertTokenizer(folder: folder.url)
    #expect(cased.configuration.lowercase == false)
    #expect(cased.configuration.stripsAccents == false)
    #expect(cased.configuration.modelMaxLength == 256)
    #expect(cased.tokens(of: cased.encode("Héllo", maxLength: 512)) == ["[CLS]", "[UNK]", "[SEP]"])
  }

  @Test func appendsToAFlatBuffer() throws {
    let tokenizer = try Self.tokenizer(.init(lowercase: true))
    var ids: [Int32] = [7]
    tokenizer.encode("hello world", maxLength: 3, appendingTo: &ids)
    tokenizer.encode("hello world", maxLength: 512, appendingTo: &ids)
    #expect(ids == [7, 101, 7592, 102, 101, 7592, 2088, 102])
  }

  @Test func vocabularyErrorsNameTheFileAndLine() throws {
    var badBytes = Data("[PAD]\n[UNK]\n".utf8)
    badBytes.append(contentsOf: [0x66, 0xFF, 0x0A])
    #expect(throws: TokenizerError(path: "v.txt", line: 3, problem: .notUTF8)) {
      try WordPieceVocabulary(data: badBytes, source: "v.txt")
    }
    #expect(throws: TokenizerError(path: "v.txt", problem: .emptyVocabulary)) {
      try WordPieceVocabulary(data: Data(), source: "v.txt")
    }
    let vocabulary = try WordPieceVocabulary(
      data: Data("[PAD]\n[UNK]\n[CLS]\nhello \r\n".utf8), source: "v.txt")
    #expect(vocabulary.id(of: "hello") == 3)
    let error = #expect(throws: TokenizerError.self) {
      try BertTokenizer(vocabulary: vocabulary, vocabularySource: "v.txt")
    }
    #expect(error?.description == "v.txt: has no separator token \"[SEP]\"; expected it on a line of its own")
    #expect(
      TokenizerError(path: "v.txt", line: 3, problem: .notUTF8).description == "v.txt:3: is not valid UTF-8")
  }

  @Test func configurationErrorsNameTheKey() {
    let error = #expect(throws: TokenizerError.self) {
      try BertTokenizerConfiguration(json: Data(#"{"do_lower_case": "yes"}"#.utf8), source: "c.json")
    }
    #expect(error?.description == "c.json: do_lower_case is \"yes\"; expected true or false")
    #expect(throws: TokenizerError.self) {
      try BertTokenizerConfiguration(json: Data("[1]".utf8), source: "c.json")
    }
    #expect(throws: TokenizerError.self) {
      try BertTokenizerConfiguration(json: Data(#"{"model_max_length": -3}"#.utf8), source: "c.json")
    }
    let huge = try? BertTokenizerConfiguration(
      json: Data(#"{"model_max_length": 1e30}"#.utf8), source: "c.json")
    #expect(huge?.modelMaxLength == nil)
  }

  @Test func aFolderWithoutVocabularyIsAClearError() throws {
    let folder = ScratchDirectory()
    let error = #expect(throws: TokenizerError.self) { try BertTokenizer(folder: folder.url) }
    #expect(error?.problem == .missingFile)
    #expect(error?.path == folder.url.appendingPathComponent("vocab.txt").path)
  }
}
